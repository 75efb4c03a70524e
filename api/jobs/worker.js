'use strict';

// The entry of the job pool's threads. A worker thread inherits neither jest's
// transform nor, reliably, the loader of `tsx`, so this plain CommonJS file
// compiles the TypeScript tasks with tsx's own require (scoped to this file).
const { require: tsxRequire } = require('tsx/cjs/api');

const { runJob } = tsxRequire('./tasks.ts', __filename);

module.exports = runJob;
