// npm runs `prepare` on every `npm install` in a clone, and when it installs this repository as a
// git dependency: it clones it, runs `npm install` there with _PACOTE_NO_PREPARE_ set (npm's guard
// against loops of git dependencies), then packs it. Only that second case needs dist/: a clone
// runs the TypeScript through tsx, and its installs stay quick.
if (process.env._PACOTE_NO_PREPARE_ !== undefined) require('./build-package');
