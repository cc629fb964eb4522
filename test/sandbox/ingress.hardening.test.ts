/**
 * The ingress against a Temporal it cannot reach, and against hostile clients (issue 29: R2, R5, R6,
 * R12, R13), over real HTTP and real sockets on 127.0.0.1. "Temporal" is either a port nobody
 * listens on (refused connections) or a TCP server that accepts and never answers (hung): the real
 * client and the real ingress (`startIngress`, as `order-tracker ingress` runs it) meet both.
 */
import { type Server, type Socket, connect, createServer } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { OrderTracker } from '../../client/order-tracker';
import { loadConfig } from '../../common/config';
import { findFreePort } from '../../common/temporal-servers';
import { OZZOBIT_SIGNATURE_HEADER, signOzzobitWebhook } from '../../providers/ozzobit/ozzobit-protocol';
import { buildIngress } from '../../workers/ingress';
import { INGRESS_REFUSALS_METRIC } from '../../workers/ingress-flood';
import type { PushChannelHealth } from '../../workers/push/push-channel-monitor';
import { type RunningIngress, startIngress } from '../../workers/run-ingress';
import { INGRESS_TEMPORAL_DEADLINE_MS, TEMPORAL_RETRY_AFTER_SECONDS } from '../../workers/temporal-deadline';
import { recordingMeter } from '../helpers/recording-meter';

const WEBHOOK_SECRET = 'hardening-webhook-secret';
/** What the deadline may overrun by on two busy cores: the timer's own lateness and the answer's trip. */
const SLACK_MS = 2_500;

interface LogLine {
  level: string;
  message: string;
  meta?: Record<string, unknown>;
}

function collectingLogger(lines: LogLine[]) {
  const at = (level: string) => (message: string, meta?: Record<string, unknown>) => lines.push({ level, message, meta });
  return { info: at('info'), warn: at('warn'), error: at('error') };
}

/**
 * The client's retry interceptor may have an attempt scheduled (up to 6 s of jittered backoff) when
 * the deadline answers: that attempt fails at once on its deadline, but it must find the connection
 * open, or it throws from its timer. Waited before the connection is closed.
 */
const retriesDone = () => new Promise<void>((resolve) => setTimeout(resolve, 8_000));

/** A TCP server that accepts every connection and never sends a byte: a hung Temporal frontend. */
async function hungServer(): Promise<{ address: string; server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { address: `127.0.0.1:${port}`, server, sockets };
}

async function ingressAgainst(temporalAddress: string, lines: LogLine[] = []): Promise<{ ingress: RunningIngress; connection: Connection }> {
  const connection = Connection.lazy({ address: temporalAddress });
  const client = new Client({ connection });
  const config = loadConfig({ OZZOBIT_WEBHOOK_SECRET: WEBHOOK_SECRET, TEMPORAL_ADDRESS: temporalAddress });
  const tracker = new OrderTracker({ client, taskQueue: 'hardening' });
  const ingress = await startIngress(config, tracker, client, { port: 0, reporting: { logger: collectingLogger(lines) } });
  return { ingress, connection };
}

function webhook(orderId: string): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify({ eventName: 'ORDER_PROCESSING', data: { id: orderId, status: 'PROCESSING', cryptoCurrency: 'BTC', cryptoAmount: '0.01' } });
  return { body, headers: { 'content-type': 'application/json', [OZZOBIT_SIGNATURE_HEADER]: signOzzobitWebhook(body, WEBHOOK_SECRET) } };
}

async function timed(request: () => Promise<Response>): Promise<{ status: number; retryAfter: string | null; elapsedMs: number; json: Record<string, unknown> }> {
  const started = Date.now();
  const response = await request();
  const json = (await response.json()) as Record<string, unknown>;
  return { status: response.status, retryAfter: response.headers.get('retry-after'), elapsedMs: Date.now() - started, json };
}

describe('Temporal unreachable or hung (R2): 503 with Retry-After within the deadline', () => {
  test.each([
    [
      'refusing connections',
      async () => ({
        address: `127.0.0.1:${await findFreePort()}`,
        close: () => retriesDone(),
      }),
    ],
    [
      'hung (accepts, never answers)',
      async () => {
        const hung = await hungServer();
        return {
          address: hung.address,
          close: async () => {
            for (const socket of hung.sockets) socket.destroy();
            await new Promise<void>((resolve) => hung.server.close(() => resolve()));
          },
        };
      },
    ],
  ])('Temporal %s: a webhook, POST /orders, GET and cancel each answer 503 within the stated deadline', async (_name, temporal) => {
    const server = await temporal();
    const { ingress, connection } = await ingressAgainst(server.address);
    try {
      const delivery = webhook('hardening-1');
      const answers = await Promise.all([
        timed(() => fetch(`${ingress.address}/webhooks/ozzobit`, { method: 'POST', headers: delivery.headers, body: delivery.body })),
        timed(() => fetch(`${ingress.address}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ provider: 'magma', orderId: 'hardening-2' }) })),
        timed(() => fetch(`${ingress.address}/orders/magma/hardening-3`)),
        timed(() => fetch(`${ingress.address}/orders/magma/hardening-4/cancel`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })),
      ]);
      for (const answer of answers) {
        expect(answer).toMatchObject({ status: 503, retryAfter: String(TEMPORAL_RETRY_AFTER_SECONDS) });
        expect(String(answer.json.error)).toMatch(/Temporal/);
        expect(answer.elapsedMs).toBeLessThanOrEqual(INGRESS_TEMPORAL_DEADLINE_MS + SLACK_MS);
      }
    } finally {
      await ingress.stop();
      await server.close();
      await connection.close().catch(() => undefined);
    }
  }, 60_000);
});

describe('the HTTP API (R5, R6, R13)', () => {
  let ingress: RunningIngress;
  let connection: Connection;

  beforeAll(async () => {
    ({ ingress, connection } = await ingressAgainst(`127.0.0.1:${await findFreePort()}`));
  });

  afterAll(async () => {
    await ingress?.stop();
    await retriesDone();
    await connection?.close().catch(() => undefined);
  });

  test('an order id of 128 characters reaches the tracker on GET and cancel, as it does on POST /orders (no 414)', async () => {
    const orderId = `${'a'.repeat(60)}:${'b'.repeat(67)}`;
    expect(orderId).toHaveLength(128);
    const encoded = encodeURIComponent(orderId);
    const get = await fetch(`${ingress.address}/orders/magma/${encoded}`);
    const cancel = await fetch(`${ingress.address}/orders/magma/${encoded}/cancel`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    // 503: they got as far as Temporal (unreachable here), past the router's length limit.
    expect([get.status, cancel.status]).toEqual([503, 503]);
  }, 30_000);

  test.each([
    ['without a body or content type', undefined, undefined],
    ['as text/plain (what a web page may send across sites without a preflight)', 'text/plain', '{"reason":"csrf"}'],
    ['as a form', 'application/x-www-form-urlencoded', 'reason=csrf'],
  ])('a cancel %s is refused 415 without a token and never reaches Temporal', async (_name, contentType, body) => {
    const answer = await timed(() =>
      fetch(`${ingress.address}/orders/magma/victim/cancel`, { method: 'POST', headers: contentType === undefined ? {} : { 'content-type': contentType }, body }),
    );
    expect(answer.status).toBe(415);
    expect(String(answer.json.error)).toMatch(/application\/json/);
    expect(answer.elapsedMs).toBeLessThan(INGRESS_TEMPORAL_DEADLINE_MS);
  });

  test('POST /orders as text/plain is refused 415 too', async () => {
    const response = await fetch(`${ingress.address}/orders`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ provider: 'magma', orderId: 'x' }) });
    expect(response.status).toBe(415);
  });
});

describe('/healthz (R13)', () => {
  const health: PushChannelHealth = { houdini: { websocket: { state: 'down', reason: 'Houdini refused HOUDINI_SECRET', since: new Date(0).toISOString() } } };

  test('with INGRESS_TOKEN, the reasons are shown only to a request bearing the token', async () => {
    const app = buildIngress({ tracker: new OrderTracker({ client: {} as Client, taskQueue: 'x' }), token: 'the-token', pushChannels: () => health });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const anonymous = await (await fetch(`${address}/healthz`)).json();
      expect(anonymous).toEqual({ ok: true, pushChannels: { houdini: { websocket: { state: 'down', since: new Date(0).toISOString() } } } });
      const trusted = await (await fetch(`${address}/healthz`, { headers: { authorization: 'Bearer the-token' } })).json();
      expect(trusted).toEqual({ ok: true, pushChannels: health });
    } finally {
      await app.close();
    }
  });
});

describe('flood control (R12)', () => {
  test('one client over the request rate gets 429, counted, and the refusals make a line or two of log, not one each', async () => {
    const lines: LogLine[] = [];
    const { meter, recorded } = recordingMeter();
    const app = buildIngress({
      tracker: new OrderTracker({ client: {} as Client, taskQueue: 'x' }),
      floodLimits: { connectionsPerClient: 64, requestsPerSecond: 20, burst: 40 },
      reporting: { logger: collectingLogger(lines), meter },
    });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const statuses: number[] = [];
      for (let round = 0; round < 10; round += 1) {
        statuses.push(...(await Promise.all(Array.from({ length: 30 }, async () => (await fetch(`${address}/healthz`)).status))));
      }
      const refused = statuses.filter((status) => status === 429).length;
      expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(40);
      expect(refused).toBeGreaterThan(100);
      expect(recorded.filter((entry) => entry.name === INGRESS_REFUSALS_METRIC && entry.tags.reason === 'rate')).toHaveLength(refused);
      await app.close(); // flushes what was counted since the last line
      const refusalLines = lines.filter((line) => line.message.startsWith('refused requests'));
      expect(refusalLines.length).toBeGreaterThanOrEqual(1);
      expect(refusalLines.length).toBeLessThanOrEqual(3);
      expect(refusalLines.reduce((sum, line) => sum + Number(line.meta?.count ?? 0), 0)).toBe(refused);
    } finally {
      await app.close();
    }
  });

  test('one client cannot hold more open connections than its cap', async () => {
    const { meter, recorded } = recordingMeter();
    const app = buildIngress({
      tracker: new OrderTracker({ client: {} as Client, taskQueue: 'x' }),
      floodLimits: { connectionsPerClient: 10, requestsPerSecond: 100, burst: 200 },
      reporting: { logger: collectingLogger([]), meter },
    });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const port = Number(new URL(address).port);
    const sockets: Socket[] = [];
    try {
      const closed = await Promise.all(
        Array.from({ length: 30 }, () => {
          const socket = connect(port, '127.0.0.1');
          sockets.push(socket);
          socket.on('error', () => undefined);
          // Still open after a second: held; closed by the server: refused.
          return new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), 1_000);
            socket.once('close', () => {
              clearTimeout(timer);
              resolve(true);
            });
          });
        }),
      );
      expect(closed.filter((wasClosed) => !wasClosed)).toHaveLength(10);
      expect(recorded.filter((entry) => entry.name === INGRESS_REFUSALS_METRIC && entry.tags.reason === 'connections')).toHaveLength(20);
    } finally {
      for (const socket of sockets) socket.destroy();
      await app.close();
    }
  });
});
