#!/usr/bin/env node
// The `order-tracker` command. In a clone it runs the TypeScript through tsx (a devDependency), so
// there is no build step and no stale output; the image has no tsx and runs what `npm run build`
// compiled into dist/.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

function loadCli() {
  try {
    require.resolve('tsx/cjs');
  } catch {
    const compiled = join(__dirname, '..', 'dist', 'cli', 'main.js');
    if (!existsSync(compiled)) {
      process.stderr.write('order-tracker: neither tsx (npm ci installs it) nor the compiled code (npm run build) is here\n');
      process.exit(1);
    }
    return require(compiled);
  }
  require('tsx/cjs');
  return require('../cli/main.ts');
}

loadCli()
  .runCli(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
