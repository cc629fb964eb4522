/**
 * Toxiproxy (github.com/Shopify/toxiproxy, built from its Go module by scripts/get-toxiproxy.sh) as
 * the fault tier uses it: one server process on 127.0.0.1, one proxy per link (a process and what it
 * talks to), and toxics added and removed through its HTTP API. A link "down" is its proxy disabled
 * (connections refused, open ones closed); "hung" is a `timeout` toxic of 0 (data held, nothing
 * closed); latency, resets, bandwidth and slicing are the toxics of the same names.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { acceptsConnections, findFreePort } from '../../common/temporal-servers';

const SCRIPTS = resolve(__dirname, '..', '..', 'scripts');
const START_TIMEOUT_MS = 20_000;

/** Path of the Toxiproxy server; builds it with `go install` the first time (a minute or two). */
export function toxiproxyServerPath(): string {
  return execFileSync('bash', [resolve(SCRIPTS, 'get-toxiproxy.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

export type ToxicStream = 'upstream' | 'downstream';

export interface Toxic {
  type: 'latency' | 'timeout' | 'reset_peer' | 'bandwidth' | 'slicer' | 'slow_close' | 'limit_data';
  stream?: ToxicStream;
  /** Probability (0–1) that a connection gets it; 1 by default. */
  toxicity?: number;
  attributes: Record<string, number>;
}

export interface Proxy {
  name: string;
  /** host:port clients connect to instead of `upstream`. */
  listen: string;
  upstream: string;
}

export class Toxiproxy {
  private constructor(
    private readonly child: ChildProcess,
    readonly apiUrl: string,
  ) {}

  static async start(): Promise<Toxiproxy> {
    const port = await findFreePort();
    const child = spawn(toxiproxyServerPath(), ['-host', '127.0.0.1', '-port', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4_000)));
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await acceptsConnections(`127.0.0.1:${port}`))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`toxiproxy did not start on port ${port}: ${stderr.trim()}`);
      }
      await sleep(50);
    }
    return new Toxiproxy(child, `http://127.0.0.1:${port}`);
  }

  /** A proxy to `upstream` on a free local port. */
  async proxy(name: string, upstream: string): Promise<Proxy> {
    const listen = `127.0.0.1:${await findFreePort()}`;
    await this.call('POST', '/proxies', { name, listen, upstream, enabled: true });
    return { name, listen, upstream };
  }

  async addToxic(proxy: string, name: string, toxic: Toxic): Promise<void> {
    await this.call('POST', `/proxies/${proxy}/toxics`, { name, type: toxic.type, stream: toxic.stream ?? 'downstream', toxicity: toxic.toxicity ?? 1, attributes: toxic.attributes });
  }

  async removeToxic(proxy: string, name: string): Promise<void> {
    await this.call('DELETE', `/proxies/${proxy}/toxics/${name}`);
  }

  /** Down: new connections refused and open ones closed, until `enable`. */
  async disable(proxy: string): Promise<void> {
    await this.call('POST', `/proxies/${proxy}`, { enabled: false });
  }

  async enable(proxy: string): Promise<void> {
    await this.call('POST', `/proxies/${proxy}`, { enabled: true });
  }

  /** Every proxy enabled and every toxic removed. */
  async reset(): Promise<void> {
    await this.call('POST', '/reset');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolveExit) => this.child.once('exit', () => resolveExit()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  private async call(method: string, path: string, body?: unknown): Promise<void> {
    const response = await fetch(`${this.apiUrl}${path}`, {
      method,
      ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`toxiproxy ${method} ${path} answered ${response.status}: ${text}`);
  }
}
