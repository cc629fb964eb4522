/**
 * The Houdini push bridge against a scripted `ws` server on 127.0.0.1 and a fake tracker: the
 * protocol steps, the keepalive deadline, reconnects, the catch-up and refused credentials, each
 * in a few hundred milliseconds. The real simulator and Temporal are in
 * test/integration/houdini-push.test.ts.
 */
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket, WebSocketServer } from 'ws';
import type { HoudiniListedOrder } from '../../providers/houdini/houdini-client';
import { normalizeHoudiniOrder } from '../../providers/houdini/houdini-observation';
import { HOUDINI_DEPOSIT_POLL_MS } from '../../providers/houdini/houdini-status';
import { scaledClock } from '../../providers/provider-clock';
import type { PushResponse } from '../../client/order-tracker';
import type { PushBridge } from '../../providers/push/push-channel';
import { type HoudiniBridgeOptions, HoudiniAuthenticationError, createHoudiniBridge } from '../../providers/houdini/houdini-bridge';
import type { Observation } from '../../domain/types';
import { eventually } from '../helpers/eventually';

const PARTNER_ID = 'partner-unit';
const SECRET = 'secret-unit';

interface Connection {
  socket: WebSocket;
  request: IncomingMessage;
  received: Record<string, unknown>[];
}

/** A scripted Houdini socket: welcome on connect, `subscribed` and `pong` on request, unless told otherwise. */
class FakeHoudini {
  readonly connections: Connection[] = [];
  answerPings = true;
  sendWelcome = true;
  /** Handshakes refused with this HTTP status. */
  refuseWith: number | undefined;
  /** After the welcome: AUTH_FAILED and close 4401. */
  authFails = false;
  handshakes = 0;
  private constructor(private readonly server: WebSocketServer) {
    server.on('connection', (socket, request) => this.accept(socket, request));
  }

  static async start(): Promise<FakeHoudini> {
    let fake!: FakeHoudini;
    const server = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      verifyClient: (_info, callback) => {
        fake.handshakes += 1;
        if (fake.refuseWith === undefined) callback(true);
        else callback(false, fake.refuseWith);
      },
    });
    fake = new FakeHoudini(server);
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    return fake;
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/ws`;
  }

  get last(): Connection {
    const connection = this.connections.at(-1);
    if (connection === undefined) throw new Error('no connection yet');
    return connection;
  }

  open(): Connection[] {
    return this.connections.filter((connection) => connection.socket.readyState === WebSocket.OPEN);
  }

  send(message: unknown, connection = this.last): void {
    connection.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  update(houdiniId: string, status: number, connection = this.last): void {
    this.send({ type: 'order_update', data: { houdiniId, status, expires: null } }, connection);
  }

  async close(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: WebSocket, request: IncomingMessage): void {
    const connection: Connection = { socket, request, received: [] };
    this.connections.push(connection);
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      connection.received.push(message);
      if (message.type === 'subscribe') this.send({ type: 'subscribed', all: true }, connection);
      if (message.type === 'ping' && this.answerPings) this.send({ type: 'pong' }, connection);
    });
    if (this.authFails) {
      this.send({ type: 'error', code: 'AUTH_FAILED', message: 'Invalid credentials' }, connection);
      socket.close(4401, 'AUTH_FAILED');
      return;
    }
    if (this.sendWelcome) this.send({ type: 'welcome', partnerId: PARTNER_ID }, connection);
  }
}

interface Pushed {
  orderId: string;
  observation: Observation;
}

function fakeTracker(answer: (pushed: Pushed) => Promise<PushResponse> | PushResponse = () => signalled()) {
  const pushes: Pushed[] = [];
  return {
    pushes,
    async push(provider: string, orderId: string, observation: Observation): Promise<PushResponse> {
      expect(provider).toBe('houdini');
      pushes.push({ orderId, observation });
      return answer({ orderId, observation });
    },
  };
}

function signalled(): PushResponse {
  return { kind: 'signalled', workflowId: 'w', runId: 'r' };
}

function recordingLogger() {
  const lines: { level: string; message: string; meta?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, meta?: Record<string, unknown>) => void lines.push({ level, message, meta });
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error') } };
}

let fake: FakeHoudini;
const bridges: PushBridge[] = [];

beforeEach(async () => {
  fake = await FakeHoudini.start();
});

afterEach(async () => {
  await Promise.all(bridges.splice(0).map((bridge) => bridge.stop()));
  await fake.close();
});

function bridge(overrides: Partial<HoudiniBridgeOptions> & Pick<HoudiniBridgeOptions, 'tracker'>) {
  const { lines, logger } = recordingLogger();
  const created = createHoudiniBridge({
    wsUrl: fake.url,
    partnerId: PARTNER_ID,
    secret: SECRET,
    logger,
    backoff: { initialMs: 40, maxMs: 200 },
    ...overrides,
  });
  bridges.push(created);
  const running = created.run();
  running.catch(() => undefined); // a test that expects a rejection awaits it itself
  return { bridge: created, running, lines };
}

test('handshake with partnerId:secret, subscribe to all orders, each order_update pushed as a normalised observation', async () => {
  const tracker = fakeTracker();
  bridge({ tracker });
  await eventually('subscribed', () => fake.last.received.length > 0, { timeoutMs: 3_000, intervalMs: 10 });

  expect(fake.last.request.headers.authorization).toBe(`${PARTNER_ID}:${SECRET}`);
  expect(fake.last.received).toEqual([{ type: 'subscribe' }]);
  fake.update('h-1', 1);
  fake.update('h-2', 4);
  await eventually('two pushes', () => tracker.pushes.length === 2, { timeoutMs: 3_000, intervalMs: 10 });

  expect(tracker.pushes.map((pushed) => pushed.orderId)).toEqual(['h-1', 'h-2']);
  expect(tracker.pushes[0]?.observation).toEqual(normalizeHoudiniOrder({ houdiniId: 'h-1', status: 1, expires: null }, Date.now(), true));
  expect(tracker.pushes[1]?.observation).toMatchObject({ status: 'FINISHED', phase: 'succeeded' });
});

test('with a sandbox clock, a pushed deposit wait is computed in Houdini\'s time and handed out as wall time', async () => {
  const adapter = { listOrders: jest.fn(async () => [] as HoudiniListedOrder[]) };
  const tracker = fakeTracker();
  bridge({ tracker, adapter, trackedOrders: async () => new Set<string>(), clock: scaledClock(10) });
  await eventually('subscribed', () => fake.last.received.length > 0, { timeoutMs: 3_000, intervalMs: 10 });
  // The deposit window ends 10 s from now: 100 s of Houdini's time at scale 10, past its 30 s cadence.
  const expires = new Date(Date.now() + 10_000).toISOString();
  fake.send({ type: 'order_update', data: { houdiniId: 'h-deposit', status: 0, expires } });
  await eventually('the push', () => tracker.pushes.length === 1, { timeoutMs: 3_000, intervalMs: 10 });

  // Houdini's 30 s deposit cadence, a tenth of it in wall time; unscaled, the expiry 10 s away would win.
  expect(tracker.pushes[0]?.observation.nextWaitMs).toBe(HOUDINI_DEPOSIT_POLL_MS / 10);
  expect(normalizeHoudiniOrder({ houdiniId: 'h-deposit', status: 0, expires }, Date.now(), true).nextWaitMs).toBeLessThan(HOUDINI_DEPOSIT_POLL_MS);
});

test('bad messages are logged and ignored; the connection carries on', async () => {
  const tracker = fakeTracker();
  const { lines } = bridge({ tracker });
  await eventually('subscribed', () => fake.last.received.length > 0, { timeoutMs: 3_000, intervalMs: 10 });

  fake.send('not json at all');
  fake.send({ type: 'order_update', data: { houdiniId: 'h-bad', status: 'FINISHED' } });
  fake.send({ type: 'order_update' });
  fake.send({ type: 'something_new' });
  fake.update('h-good', 2);
  await eventually('the good update', () => tracker.pushes.length === 1, { timeoutMs: 3_000, intervalMs: 10 });
  await sleep(50);

  expect(tracker.pushes.map((pushed) => pushed.orderId)).toEqual(['h-good']);
  const ignored = lines.filter((line) => line.message === 'ignored a message from Houdini');
  expect(ignored.map((line) => line.meta?.reason)).toEqual([
    expect.stringMatching(/not JSON/),
    expect.stringMatching(/data\.status/),
    expect.stringMatching(/data/),
  ]);
  expect(fake.connections).toHaveLength(1);
});

test('no pong before the deadline counts as a dropped connection: reconnect and subscribe again', async () => {
  fake.answerPings = false;
  const tracker = fakeTracker();
  const { lines } = bridge({ tracker, pingIntervalMs: 60, pongTimeoutMs: 80 });

  await eventually('a second connection', () => fake.connections.length >= 2, { timeoutMs: 3_000, intervalMs: 10 });
  const first = fake.connections[0] as Connection;
  expect(first.received.filter((message) => message.type === 'ping')).toHaveLength(1);
  await eventually('the first connection closed', () => first.socket.readyState === WebSocket.CLOSED, { timeoutMs: 3_000, intervalMs: 10 });
  await eventually('subscribed again', () => (fake.connections[1]?.received ?? []).some((message) => message.type === 'subscribe'), {
    timeoutMs: 3_000,
    intervalMs: 10,
  });
  expect(lines.find((line) => line.message.includes('reconnecting'))?.meta).toMatchObject({ problem: 'no pong within 80 ms', attempt: 1 });
});

test('pongs in time keep one connection up', async () => {
  const tracker = fakeTracker();
  bridge({ tracker, pingIntervalMs: 30, pongTimeoutMs: 1_000 });
  await sleep(400);
  expect(fake.connections).toHaveLength(1);
  expect(fake.last.received.filter((message) => message.type === 'ping').length).toBeGreaterThanOrEqual(5);
});

test('a handshake that is never welcomed is abandoned and retried', async () => {
  fake.sendWelcome = false;
  bridge({ tracker: fakeTracker(), pongTimeoutMs: 100 });
  await eventually('a retry', () => fake.connections.length >= 2, { timeoutMs: 3_000, intervalMs: 10 });
  expect(fake.connections[0]?.received).toEqual([]);
});

test('after every (re)connection the catch-up pushes the listed orders that are tracked, and only those', async () => {
  const listed = (statuses: Record<string, number>): HoudiniListedOrder[] =>
    Object.entries(statuses).map(([houdiniId, status]) => {
      const order = { houdiniId, status, expires: null };
      return { order, observation: normalizeHoudiniOrder(order, Date.now(), true) };
    });
  const lists = [listed({ 'h-old': 4, 'h-tracked': 1, 'h-untracked': 0 }), listed({ 'h-old': 4, 'h-tracked': 4, 'h-untracked': 1 })];
  const adapter = { listOrders: jest.fn(async () => lists.shift() ?? []) };
  let asked = 0;
  const trackedOrders = async () => {
    asked += 1;
    // Tracked: one the list shows, and one it does not (nothing to push for it).
    return new Set(['h-tracked', 'h-elsewhere']);
  };
  const tracker = fakeTracker();
  bridge({ tracker, adapter, trackedOrders });

  await eventually('the first catch-up', () => tracker.pushes.length === 1, { timeoutMs: 3_000, intervalMs: 10 });
  expect(tracker.pushes[0]).toMatchObject({ orderId: 'h-tracked', observation: { status: 'CONFIRMING' } });
  fake.last.socket.terminate(); // a network drop, no close frame
  await eventually('the catch-up after the reconnect', () => tracker.pushes.length === 2, { timeoutMs: 3_000, intervalMs: 10 });

  expect(tracker.pushes[1]).toMatchObject({ orderId: 'h-tracked', observation: { status: 'FINISHED', phase: 'succeeded' } });
  expect(fake.connections).toHaveLength(2);
  expect(fake.last.received).toEqual([{ type: 'subscribe' }]);
  expect(adapter.listOrders).toHaveBeenCalledTimes(2);
  expect(asked).toBe(2);
});

test('a failed catch-up is logged; live updates still flow', async () => {
  const adapter = { listOrders: async () => Promise.reject(new Error('Houdini answered the order list with HTTP 503')) };
  const tracker = fakeTracker();
  const { lines } = bridge({ tracker, adapter, trackedOrders: async () => new Set<string>() });
  await eventually('the failure logged', () => lines.some((line) => line.message.startsWith('catch-up')), { timeoutMs: 3_000, intervalMs: 10 });
  fake.update('h-live', 2);
  await eventually('the live push', () => tracker.pushes.length === 1, { timeoutMs: 3_000, intervalMs: 10 });
  expect(lines.find((line) => line.message.startsWith('catch-up'))?.meta?.error).toMatch(/503/);
});

test('the backoff grows while reconnects keep failing', async () => {
  const tracker = fakeTracker();
  const { lines } = bridge({ tracker, backoff: { initialMs: 20, maxMs: 80, factor: 2 } });
  await eventually('connected', () => fake.open().length === 1, { timeoutMs: 3_000, intervalMs: 10 });
  fake.refuseWith = 503; // Houdini is down: handshakes fail, but not for the credentials
  fake.last.socket.terminate();
  await eventually('five failed attempts', () => lines.filter((line) => line.message.includes('reconnecting')).length >= 5, {
    timeoutMs: 5_000,
    intervalMs: 10,
  });
  const delays = lines.filter((line) => line.message.includes('reconnecting')).map((line) => Number(line.meta?.delayMs));
  const bounds = [20, 40, 80, 80, 80];
  delays.slice(0, 5).forEach((delay, index) => {
    expect(delay).toBeGreaterThanOrEqual((bounds[index] as number) / 2);
    expect(delay).toBeLessThanOrEqual(bounds[index] as number);
  });
  expect(lines.find((line) => line.meta?.problem === 'the WebSocket handshake was answered HTTP 503')).toBeDefined();
  fake.refuseWith = undefined;
  await eventually('back up', () => fake.open().length === 1, { timeoutMs: 3_000, intervalMs: 10 });
});

test('AUTH_FAILED and close 4401: run() rejects naming the variables, and nothing reconnects', async () => {
  fake.authFails = true;
  const { running } = bridge({ tracker: fakeTracker() });
  await expect(running).rejects.toThrow(HoudiniAuthenticationError);
  await expect(running).rejects.toThrow(/AUTH_FAILED.*HOUDINI_PARTNER_ID and HOUDINI_SECRET/);
  await sleep(300); // several backoff steps
  expect(fake.handshakes).toBe(1);
});

test.each([401, 400, 403])('a handshake answered HTTP %i rejects run() without retrying', async (status) => {
  fake.refuseWith = status;
  const { running } = bridge({ tracker: fakeTracker() });
  await expect(running).rejects.toThrow(new RegExp(`HTTP ${status}.*HOUDINI_PARTNER_ID and HOUDINI_SECRET`));
  await sleep(300);
  expect(fake.handshakes).toBe(1);
});

test('a URL ws cannot use rejects run() naming HOUDINI_WS_URL', async () => {
  const { running } = bridge({ tracker: fakeTracker(), wsUrl: 'ftp://127.0.0.1/ws' });
  await expect(running).rejects.toThrow(/HOUDINI_WS_URL/);
});

test('a push that fails is logged and the next ones go through; one order stays in arrival order', async () => {
  let first = true;
  const tracker = fakeTracker(async ({ orderId }) => {
    if (orderId === 'h-a' && first) {
      first = false;
      await sleep(100); // slow, then fails: the next update of h-a must still wait for it
      throw new Error('Temporal is unreachable');
    }
    return signalled();
  });
  const { lines } = bridge({ tracker });
  await eventually('subscribed', () => fake.last.received.length > 0, { timeoutMs: 3_000, intervalMs: 10 });
  const order: string[] = [];
  const original = tracker.push.bind(tracker);
  tracker.push = async (provider, orderId, observation) => {
    order.push(`${orderId}:${observation.status}:start`);
    try {
      return await original(provider, orderId, observation);
    } finally {
      order.push(`${orderId}:${observation.status}:end`);
    }
  };
  fake.update('h-a', 1);
  fake.update('h-a', 2);
  fake.update('h-b', 1);
  await eventually('three pushes finished', () => order.filter((entry) => entry.endsWith(':end')).length === 3, {
    timeoutMs: 3_000,
    intervalMs: 10,
  });

  // h-b did not wait for h-a; h-a's second update waited for its first.
  expect(order.indexOf('h-b:CONFIRMING:end')).toBeLessThan(order.indexOf('h-a:CONFIRMING:end'));
  expect(order.indexOf('h-a:EXCHANGING:start')).toBeGreaterThan(order.indexOf('h-a:CONFIRMING:end'));
  expect(lines.find((line) => line.level === 'warn' && line.message.startsWith('push not delivered'))?.meta).toMatchObject({
    orderKey: 'houdini:h-a',
    status: 'CONFIRMING',
    error: 'Temporal is unreachable',
  });
});

test('stop() closes the socket, resolves run() and nothing reconnects', async () => {
  const { bridge: running, running: done } = bridge({ tracker: fakeTracker() });
  // Subscribed, so the bridge's side is open too (the server counts a connection open a moment earlier).
  await eventually('subscribed', () => fake.last.received.length > 0, { timeoutMs: 3_000, intervalMs: 10 });
  const closed = new Promise<number>((resolve) => fake.last.socket.once('close', (code) => resolve(code)));
  await running.stop();
  await expect(done).resolves.toBeUndefined();
  expect(await closed).toBe(1000);
  await sleep(200);
  expect(fake.connections).toHaveLength(1);
});

test('stop() during the backoff cancels the reconnect', async () => {
  const { bridge: running, running: done } = bridge({ tracker: fakeTracker(), backoff: { initialMs: 300, maxMs: 300 } });
  await eventually('connected', () => fake.open().length === 1, { timeoutMs: 3_000, intervalMs: 10 });
  fake.last.socket.terminate();
  await sleep(50);
  await running.stop();
  await expect(done).resolves.toBeUndefined();
  await sleep(400);
  expect(fake.connections).toHaveLength(1);
});
