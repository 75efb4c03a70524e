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
    // A crash, not an answer: one JSON line for the operator's log (answers and refusals are printed by main).
    const { createLogger } = require(path.join(__dirname, '..', 'logging', 'index.ts'));
    createLogger({ name: 'docket-cli', fd: 2 }).fatal({ err }, 'docket crashed');
    process.exitCode = 1;
  },
);
