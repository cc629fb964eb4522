#!/usr/bin/env node
// The `order-tracker` command: runs the TypeScript CLI through tsx, so there is no build step.
require('tsx/cjs');
const { runCli } = require('../client/cli.ts');

runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
