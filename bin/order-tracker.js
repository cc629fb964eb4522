#!/usr/bin/env node
// The `order-tracker` command. In a clone it runs the TypeScript through tsx (a devDependency), so
// there is no build step and no stale output; the image and the installed package have no sources
// (and may have no tsx, or a project's own) and run what was compiled into dist/.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

function canRunSources() {
  if (!existsSync(join(__dirname, '..', 'cli', 'main.ts'))) return false;
  try {
    require.resolve('tsx/cjs');
    return true;
  } catch {
    return false;
  }
}

function loadCli() {
  if (canRunSources()) {
    require('tsx/cjs');
    return require('../cli/main.ts');
  }
  const compiled = join(__dirname, '..', 'dist', 'cli', 'main.js');
  if (!existsSync(compiled)) {
    process.stderr.write('order-tracker: neither tsx (npm ci installs it) nor the compiled code (npm run build) is here\n');
    process.exit(1);
  }
  return require(compiled);
}

loadCli()
  .runCli(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
