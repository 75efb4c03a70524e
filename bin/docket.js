#!/usr/bin/env node
'use strict';

// Runs the TypeScript CLI directly: tsx compiles cli/*.ts on load.
require('tsx/cjs');
const path = require('node:path');

const { main } = require(path.join(__dirname, '..', 'cli', 'main.ts'));

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`docket: ${err && err.stack ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  },
);
