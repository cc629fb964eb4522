// `npm pack` (prepack) and a git dependency (prepare-git-dependency.js): dist/ from scratch with
// tsconfig.package.json, so the package holds the compiled JavaScript and declarations of this
// commit and nothing left from an earlier build (the image's source maps, its workflow bundle).
const { execFileSync } = require('node:child_process');
const { rmSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.package.json')], { cwd: root, stdio: 'inherit' });
