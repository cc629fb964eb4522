/**
 * What the project's own files promise each other: `npm start` fetches only what `dev` needs (not
 * the time-skipping server, not the cluster's server: `npm test`'s), and no document names a file
 * the repository lacks.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const scriptsCalled = (path: string) => [...read(path).matchAll(/^[^#\n]*\bbash (scripts\/[\w-]+\.sh)/gm)].map((match) => match[1]);

describe('npm start', () => {
  it('runs dev in place of its shell, so the signal npm forwards reaches it', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.start).toBe('exec bash scripts/start.sh');
    expect(read('scripts/start.sh')).toMatch(/^exec node bin\/order-tracker\.js dev "\$@"$/m);
  });

  it('fetches what dev needs (npm packages, the Temporal CLI), not the test servers', () => {
    expect(scriptsCalled('scripts/start.sh')).toEqual(['scripts/ensure-dev-deps.sh']);
    expect(scriptsCalled('scripts/ensure-dev-deps.sh')).toEqual(['scripts/get-temporal-cli.sh']);
    expect(read('scripts/ensure-dev-deps.sh')).not.toMatch(/get-test-server|get-temporal-server/);
  });

  it('leaves the test servers and Toxiproxy to npm test', () => {
    expect(scriptsCalled('scripts/test.sh')).toContain('scripts/ensure-deps.sh');
    expect(scriptsCalled('scripts/ensure-deps.sh')).toEqual(['scripts/ensure-dev-deps.sh', 'scripts/get-temporal-server.sh', 'scripts/get-test-server.sh', 'scripts/get-toxiproxy.sh']);
  });
});

/** Folders that hold what runs write, not what the repository holds. */
const GENERATED = ['test-output/', 'dist/', '.data/', 'harness/bench/output/', 'node_modules/'];
const DOCUMENTS = ['README.md', 'harness/bench/README.md', ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

/** `workers/ingress.ts`, `scripts/`, `DESIGN.md`: a file or folder named in code, not a command or a value. */
function isPath(span: string): boolean {
  if (/^[\w-]+\.md$/.test(span)) return true;
  return /^[\w.-]+(\/[\w.-]+)+\/?$/.test(span) && /(\.(ts|js|sh|md|json|ya?ml|xml|png)|\/)$/.test(span);
}

/** Relative links, and paths in code spans (`workers/ingress.ts`, `DESIGN.md`), of a document. */
function namedFiles(document: string): { named: string; resolved: string[] }[] {
  const text = read(document);
  const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1] ?? '').filter((target) => !/^[a-z]+:/.test(target) && !target.startsWith('#'));
  const spans = [...text.matchAll(/`([^`\s]+)`/g)].map((match) => match[1] ?? '').filter(isPath);
  return [...links, ...spans].map((named) => {
    const path = named.split('#')[0] ?? '';
    // A link is relative to its document; a path in code is the repository's (or, failing that, the document's).
    return { named, resolved: [relative(ROOT, join(ROOT, dirname(document), path)), path] };
  });
}

describe('the documentation', () => {
  it.each(DOCUMENTS)('%s names only files the repository has', (document) => {
    const missing = namedFiles(document)
      .filter(({ resolved }) => !resolved.some((path) => GENERATED.some((folder) => path.startsWith(folder)) || existsSync(join(ROOT, path))))
      .map(({ named }) => named);
    expect(missing).toEqual([]);
  });
});

describe('the documented installs', () => {
  const peers = (JSON.parse(read('package.json')) as { peerDependencies: Record<string, string> }).peerDependencies;

  it.each(['README.md', 'docs/contract.md'])('%s installs the worker side with exactly the package\'s peers', (document) => {
    // The install that names a worker-side package, continued over its backslashed lines.
    const command = /npm install \.\/order-tracker-[\d.]+\.tgz @temporalio\/activity[^\n\\]*(?:\\\n[^\n\\]*)*/.exec(read(document))?.[0] ?? '';
    const named = Object.fromEntries([...command.matchAll(/(@?[\w./-]+)@([~^]?\d[\w.]*)/g)].map((match) => [match[1], match[2]]));
    expect(named).toEqual(peers);
  });
});
