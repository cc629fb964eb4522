import { ConfigError } from '../../common/config';
import { loadDevelopmentSide, loadWorkerSide, missingPackage, workerInstallCommand } from '../../cli/worker-side';

function moduleNotFound(specifier: string): Error {
  return Object.assign(new Error(`Cannot find module '${specifier}'\nRequire stack:\n- /app/dist/workers/ingress.js`), { code: 'MODULE_NOT_FOUND' });
}

describe('missingPackage', () => {
  it.each([
    ['fastify', 'fastify'],
    ['@temporalio/worker', '@temporalio/worker'],
    ['@temporalio/common/lib/time', '@temporalio/common'],
    ['undici/lib/web/fetch/body.js', 'undici'],
    ['../workers/dev', undefined],
    ['/abs/path.js', undefined],
  ])('Cannot find module %j names %j', (specifier, name) => {
    expect(missingPackage(moduleNotFound(specifier))).toBe(name);
  });

  it('is undefined for any other error', () => {
    expect(missingPackage(new Error("Cannot find module 'pg'"))).toBeUndefined();
    expect(missingPackage('not an error')).toBeUndefined();
  });
});

describe('workerInstallCommand', () => {
  it('names every peer at its range, quoting a range with spaces', () => {
    expect(workerInstallCommand({ peerDependencies: { pg: '^8.23.1', 'light-my-request': '~6.6.0', odd: '>=1 <2' } })).toBe(
      "npm install pg@^8.23.1 light-my-request@~6.6.0 odd@'>=1 <2'",
    );
  });
});

describe('loadWorkerSide', () => {
  it('turns a missing worker-side package into a ConfigError naming the install of every peer', () => {
    const load = () => loadWorkerSide('ingress', () => {
      throw moduleNotFound('fastify');
    });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/^ingress runs the worker side, whose packages this install lacks \(fastify first\)\..*npm install .*@temporalio\/activity@1\.24\.0 .*fastify@\^5/);
  });

  it('rethrows anything else as it is: a missing package that is not a peer, a bug', () => {
    const missing = moduleNotFound('left-pad');
    expect(() => loadWorkerSide('worker', () => { throw missing; })).toThrow(missing);
    const bug = new TypeError('x is not a function');
    expect(() => loadWorkerSide('worker', () => { throw bug; })).toThrow(bug);
    expect(loadWorkerSide('worker', () => 42)).toBe(42);
  });
});

describe('loadDevelopmentSide', () => {
  it('says dev needs the development dependencies when a clone lacks them', () => {
    expect(() => loadDevelopmentSide('dev', () => { throw moduleNotFound('socket.io'); })).toThrow(
      /^dev needs the development dependencies \(npm ci without --omit=dev\): Cannot find module 'socket\.io'$/,
    );
  });
});
