/**
 * The unit tier's test environment: Node's, with every way to reach a socket, open a server or
 * start a process closed for the length of a test file. `npm run test:unit` then proves that the
 * tier needs nothing but Node; a test that needs a server belongs in test/sandbox (the simulators)
 * or a tier with Temporal. Core modules are the process's own (jest does not isolate them), so the
 * originals come back in teardown, before this worker runs another tier's file.
 */
import { TestEnvironment } from 'jest-environment-node';
import childProcess from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';

type Patch = { target: object; name: string; original: unknown };

const CLOSED: [object, string[], string][] = [
  [net.Server.prototype, ['listen'], 'open a server'],
  [net.Socket.prototype, ['connect'], 'open a socket'],
  [dgram.Socket.prototype, ['bind', 'send'], 'open a UDP socket'],
  [childProcess, ['spawn', 'spawnSync', 'fork', 'exec', 'execSync', 'execFile', 'execFileSync'], 'start a process'],
];

export default class NoNetworkEnvironment extends TestEnvironment {
  private patches: Patch[] = [];

  override async setup(): Promise<void> {
    await super.setup();
    for (const [target, names, what] of CLOSED) {
      for (const name of names) {
        const original = (target as Record<string, unknown>)[name];
        this.patches.push({ target, name, original });
        (target as Record<string, unknown>)[name] = () => {
          throw new Error(`a unit test does not ${what} (${name}): move it to test/sandbox or a tier with servers`);
        };
      }
    }
  }

  override async teardown(): Promise<void> {
    for (const { target, name, original } of this.patches.reverse()) (target as Record<string, unknown>)[name] = original;
    this.patches = [];
    await super.teardown();
  }
}
