/** The Houdini simulator's WebSocket endpoint (seed 003), over real HTTP upgrades with a real `ws` client. */
import { fetch } from 'undici';
import WebSocket from 'ws';
import { startHoudiniSandbox } from '../../sandbox/houdini';
import type { HoudiniSandbox } from '../../sandbox/houdini';

const PARTNER_ID = 'partner-ws';
const SECRET = 'ws-secret';
const AUTHORIZATION = `${PARTNER_ID}:${SECRET}`;
// 1000×: a 100-simulated-second step lasts 100 real milliseconds.
const TIME_SCALE = 1000;

type Message = { type: string } & Record<string, unknown>;
type OrderUpdate = { type: 'order_update'; data: Record<string, unknown> & { houdiniId: string; status: number } };

/** A `ws` client that keeps every message, so a test can read them in order or prove there are none. */
class Client {
  private readonly inbox: Message[] = [];
  private wake: (() => void) | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.inbox.push(JSON.parse(String(data)) as Message);
      this.wake?.();
    });
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  static async connect(authorization = AUTHORIZATION): Promise<Client> {
    const client = new Client(new WebSocket(sandbox.wsUrl, { headers: { Authorization: authorization } }));
    clients.push(client);
    await new Promise((resolve, reject) => {
      client.socket.once('open', resolve);
      client.socket.once('error', reject);
    });
    return client;
  }

  /** Connected and welcomed. */
  static async ready(): Promise<Client> {
    const client = await Client.connect();
    expect(await client.next()).toMatchObject({ type: 'welcome' });
    return client;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  async next(timeoutMs = 2_000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    while (this.inbox.length === 0) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error('no message arrived in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.inbox.shift() as Message;
  }

  async nextUpdate(): Promise<OrderUpdate> {
    const message = await this.next();
    expect(message.type).toBe('order_update');
    return message as OrderUpdate;
  }

  /** Sends a message and returns the server's answer to it. */
  async ask(message: unknown): Promise<Message> {
    this.send(message);
    return this.next();
  }

  async expectNothing(milliseconds = 150): Promise<void> {
    await sleep(milliseconds);
    expect(this.inbox).toEqual([]);
  }
}

let sandbox: HoudiniSandbox;
let clients: Client[] = [];

beforeAll(async () => {
  sandbox = await startHoudiniSandbox({ partnerId: PARTNER_ID, secret: SECRET, timeScale: TIME_SCALE });
});
afterAll(() => sandbox.close());
afterEach(() => {
  for (const client of clients) client.socket.terminate();
  clients = [];
  sandbox.clearFaults();
});

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

async function getOrder(orderId: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${sandbox.url}/v2/orders/${orderId}`, { headers: { Authorization: AUTHORIZATION } });
  return (await response.json()) as Record<string, unknown>;
}

/** An order that moves one step per REST answer through the given statuses. */
function addStepping(id: string, statuses: string[], extra: Record<string, unknown> = {}): void {
  sandbox.addOrder({
    id,
    ...extra,
    steps: statuses.map((status, index) => (index < statuses.length - 1 ? { status, requests: 1 } : { status })),
  });
}

/** What the HTTP upgrade was answered with when it was refused. */
function refusedUpgrade(headers: Record<string, string>, url = sandbox.wsUrl): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.on('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += String(chunk)));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(body) }));
    });
    socket.on('open', () => reject(new Error('the upgrade was accepted')));
    socket.on('error', () => undefined);
  });
}

describe('handshake', () => {
  it('answers HTTP 401 when the Authorization header is missing', async () => {
    expect(await refusedUpgrade({})).toEqual({
      status: 401,
      body: { statusCode: 401, message: 'Missing Authorization header', error: 'Unauthorized' },
    });
  });

  it.each(['Bearer token', `Bearer ${AUTHORIZATION}`, PARTNER_ID, `:${SECRET}`, `${PARTNER_ID}:`])(
    'answers HTTP 400 to the malformed header %p',
    async (authorization) => {
      const { status, body } = await refusedUpgrade({ Authorization: authorization });
      expect(status).toBe(400);
      expect(body).toMatchObject({ message: 'Malformed Authorization header (must be partnerId:secret)' });
    },
  );

  it('answers HTTP 404 on another path', async () => {
    expect((await refusedUpgrade({ Authorization: AUTHORIZATION }, sandbox.wsUrl.replace('/ws', '/socket'))).status).toBe(404);
  });

  it.each([`${PARTNER_ID}:wrong`, `someone:${SECRET}`])(
    'connects with the well-formed but wrong %p, then sends AUTH_FAILED and closes with 4401',
    async (authorization) => {
      const client = await Client.connect(authorization);
      expect(await client.next()).toEqual({ type: 'error', code: 'AUTH_FAILED', message: 'Invalid credentials' });
      expect(await client.closed).toEqual({ code: 4401, reason: 'AUTH_FAILED' });
      expect(sandbox.requests().at(-1)).toMatchObject({ operation: 'websocket AUTH_FAILED', httpStatus: 101 });
    },
  );

  it('welcomes the right credentials', async () => {
    const client = await Client.connect();
    expect(await client.next()).toEqual({ type: 'welcome', partnerId: PARTNER_ID, message: 'Connected to Houdini order updates' });
    expect(sandbox.requests().at(-1)).toMatchObject({ operation: 'websocket', httpStatus: 101 });
  });

  it('never pushes to a connection that failed authentication', async () => {
    addStepping('auth-push', ['WAITING', 'CONFIRMING']);
    const refused = await Client.connect(`${PARTNER_ID}:wrong`);
    refused.send({ type: 'subscribe' });
    await refused.closed;
    await getOrder('auth-push');
    expect(sandbox.pushes('auth-push')).toEqual([]);
  });
});

describe('messages', () => {
  it('answers ping with pong', async () => {
    const client = await Client.ready();
    expect(await client.ask({ type: 'ping' })).toEqual({ type: 'pong' });
  });

  it.each([
    ['not JSON', 'INVALID_MESSAGE', 'hello'],
    ['no type', 'INVALID_MESSAGE', { houdiniIds: ['a'] }],
    ['houdiniIds not a list', 'INVALID_MESSAGE', { type: 'subscribe', houdiniIds: 'a' }],
    ['an unknown type', 'UNKNOWN_MESSAGE_TYPE', { type: 'subscribe_all' }],
  ])('answers %s with an error %s and keeps the connection', async (_name, code, message) => {
    const client = await Client.ready();
    expect(await client.ask(message)).toMatchObject({ type: 'error', code, message: expect.any(String) });
    expect(await client.ask({ type: 'ping' })).toEqual({ type: 'pong' });
  });
});

describe('subscriptions', () => {
  it('subscribes to all orders without houdiniIds', async () => {
    addStepping('all-1', ['WAITING', 'CONFIRMING']);
    addStepping('all-2', ['EXCHANGING', 'FINISHED']);
    const client = await Client.ready();
    expect(await client.ask({ type: 'subscribe' })).toEqual({ type: 'subscribed', all: true });
    await getOrder('all-1');
    expect((await client.nextUpdate()).data).toMatchObject({ houdiniId: 'all-1', status: 1 });
    await getOrder('all-2');
    expect((await client.nextUpdate()).data).toMatchObject({ houdiniId: 'all-2', status: 4 });
  });

  it('subscribes to specific orders, additively', async () => {
    addStepping('some-1', ['WAITING', 'CONFIRMING', 'EXCHANGING']);
    addStepping('some-2', ['WAITING', 'CONFIRMING', 'EXCHANGING']);
    addStepping('some-3', ['WAITING', 'CONFIRMING']);
    const client = await Client.ready();
    expect(await client.ask({ type: 'subscribe', houdiniIds: ['some-1'] })).toEqual({ type: 'subscribed', houdiniIds: ['some-1'] });
    await getOrder('some-2');
    await getOrder('some-3');
    await getOrder('some-1');
    expect((await client.nextUpdate()).data).toMatchObject({ houdiniId: 'some-1', status: 1 });
    await client.expectNothing();

    expect(await client.ask({ type: 'subscribe', houdiniIds: ['some-2'] })).toEqual({ type: 'subscribed', houdiniIds: ['some-2'] });
    await getOrder('some-1');
    await getOrder('some-2');
    expect((await client.nextUpdate()).data).toMatchObject({ houdiniId: 'some-1', status: 2 });
    expect((await client.nextUpdate()).data).toMatchObject({ houdiniId: 'some-2', status: 2 });
  });

  it('unsubscribes from specific orders', async () => {
    addStepping('drop-1', ['WAITING', 'CONFIRMING']);
    addStepping('keep-1', ['WAITING', 'CONFIRMING']);
    const client = await Client.ready();
    await client.ask({ type: 'subscribe', houdiniIds: ['drop-1', 'keep-1'] });
    expect(await client.ask({ type: 'unsubscribe', houdiniIds: ['drop-1'] })).toEqual({ type: 'unsubscribed', houdiniIds: ['drop-1'] });
    await getOrder('drop-1');
    await getOrder('keep-1');
    expect((await client.nextUpdate()).data).toMatchObject({ houdiniId: 'keep-1' });
    await client.expectNothing();
  });

  it('unsubscribes from everything without houdiniIds', async () => {
    addStepping('gone-1', ['WAITING', 'CONFIRMING']);
    const client = await Client.ready();
    await client.ask({ type: 'subscribe', houdiniIds: ['gone-1'] });
    expect(await client.ask({ type: 'unsubscribe' })).toEqual({ type: 'unsubscribed', all: true });
    await getOrder('gone-1');
    await client.expectNothing();
  });

  it('resets to none when specific ids are unsubscribed while subscribed to all', async () => {
    addStepping('reset-1', ['WAITING', 'CONFIRMING']);
    addStepping('reset-2', ['WAITING', 'CONFIRMING', 'EXCHANGING']);
    const client = await Client.ready();
    await client.ask({ type: 'subscribe' });
    expect(await client.ask({ type: 'unsubscribe', houdiniIds: ['reset-1'] })).toEqual({ type: 'unsubscribed', houdiniIds: ['reset-1'] });
    await getOrder('reset-1');
    await getOrder('reset-2');
    await client.expectNothing();
    // "To continue receiving updates for other orders, re-subscribe after unsubscribing."
    await client.ask({ type: 'subscribe', houdiniIds: ['reset-2'] });
    await getOrder('reset-2');
    expect((await client.nextUpdate()).data).toMatchObject({ houdiniId: 'reset-2', status: 2 });
  });

  it('never delivers another partner’s orders', async () => {
    const client = await Client.ready();
    await client.ask({ type: 'subscribe' });
    await client.ask({ type: 'subscribe', houdiniIds: ['foreign-1'] });
    sandbox.addOrder({ id: 'foreign-1', partnerId: 'partner-other', steps: [{ status: 'WAITING', durationMs: 50_000 }, { status: 'EXPIRED' }] });
    await client.expectNothing(200); // the order expired 50 ms in, unseen
    expect(sandbox.pushes('foreign-1')).toEqual([]);
  });
});

describe('order_update', () => {
  it('carries the full order, the same shape as GET /v2/orders/{houdiniId}', async () => {
    addStepping('shape-1', ['CONFIRMING', 'FINISHED'], { anonymous: true });
    const client = await Client.ready();
    await client.ask({ type: 'subscribe', houdiniIds: ['shape-1'] });
    const answered = await getOrder('shape-1'); // this answer moves the order to FINISHED
    const update = await client.nextUpdate();
    expect(answered.status).toBe(1);
    expect(update.data.status).toBe(4);
    expect(update.data).toEqual(await getOrder('shape-1'));
  });

  it('is pushed for timed steps without anyone polling, every status in order', async () => {
    const client = await Client.ready();
    await client.ask({ type: 'subscribe' });
    sandbox.addOrder({
      id: 'ticking',
      steps: [
        { status: 'WAITING', durationMs: 100_000 },
        { status: 'CONFIRMING', durationMs: 100_000 },
        { status: 'EXCHANGING', durationMs: 100_000 },
        { status: 'FINISHED' },
      ],
    });
    const statuses = [];
    for (let index = 0; index < 3; index += 1) statuses.push((await client.nextUpdate()).data.status);
    expect(statuses).toEqual([1, 2, 4]);
    expect(sandbox.requests('ticking')).toEqual([]);
  });

  it('reports every status of steps that ended between two looks', async () => {
    const client = await Client.ready();
    await client.ask({ type: 'subscribe' });
    sandbox.addOrder({
      id: 'burst',
      steps: [{ status: 'WAITING', requests: 1 }, { status: 'CONFIRMING', durationMs: 1 }, { status: 'EXCHANGING', durationMs: 1 }, { status: 'REFUNDED' }],
    });
    await getOrder('burst');
    await sleep(50);
    await getOrder('burst');
    const statuses = [];
    for (let index = 0; index < 3; index += 1) statuses.push((await client.nextUpdate()).data.status);
    expect(statuses).toEqual([1, 2, 7]);
  });

  it('is not pushed when a step keeps the status', async () => {
    addStepping('same-1', ['CONFIRMING', 'CONFIRMING', 'EXCHANGING']);
    const client = await Client.ready();
    await client.ask({ type: 'subscribe', houdiniIds: ['same-1'] });
    await getOrder('same-1');
    await client.expectNothing();
    await getOrder('same-1');
    expect((await client.nextUpdate()).data.status).toBe(2);
  });

  it('goes to every subscribed connection, logged per connection', async () => {
    addStepping('fan-1', ['WAITING', 'CONFIRMING']);
    const first = await Client.ready();
    const second = await Client.ready();
    await first.ask({ type: 'subscribe' });
    await second.ask({ type: 'subscribe', houdiniIds: ['fan-1'] });
    await getOrder('fan-1');
    expect((await first.nextUpdate()).data.houdiniId).toBe('fan-1');
    expect((await second.nextUpdate()).data.houdiniId).toBe('fan-1');
    const pushes = sandbox.pushes('fan-1');
    expect(pushes.map((push) => [push.status, push.kind])).toEqual([[1, 'update'], [1, 'update']]);
    expect(new Set(pushes.map((push) => push.connection)).size).toBe(2);
  });
});

describe('push faults', () => {
  it('duplicate_push sends the same update twice', async () => {
    addStepping('dup-1', ['WAITING', 'CONFIRMING', 'EXCHANGING']);
    sandbox.setFault({ kind: 'duplicate_push', count: 1 }, 'dup-1');
    const client = await Client.ready();
    await client.ask({ type: 'subscribe' });
    await getOrder('dup-1');
    const first = await client.nextUpdate();
    expect(await client.nextUpdate()).toEqual(first);
    await getOrder('dup-1');
    expect((await client.nextUpdate()).data.status).toBe(2);
    await client.expectNothing();
    expect(sandbox.pushes('dup-1').map((push) => [push.status, push.kind])).toEqual([[1, 'update'], [1, 'duplicate'], [2, 'update']]);
  });

  it('out_of_order_push re-sends the older status after the newer one', async () => {
    addStepping('ooo-1', ['WAITING', 'CONFIRMING', 'EXCHANGING']);
    const client = await Client.ready();
    await client.ask({ type: 'subscribe', houdiniIds: ['ooo-1'] });
    await getOrder('ooo-1');
    expect((await client.nextUpdate()).data.status).toBe(1);
    sandbox.setFault({ kind: 'out_of_order_push', count: 1 });
    await getOrder('ooo-1');
    expect((await client.nextUpdate()).data.status).toBe(2);
    expect((await client.nextUpdate()).data.status).toBe(1);
    expect(sandbox.pushes('ooo-1').map((push) => push.kind)).toEqual(['update', 'update', 'stale']);
  });

  it('drop_socket drops the connection instead of delivering the update', async () => {
    addStepping('lost-1', ['WAITING', 'CONFIRMING']);
    sandbox.setFault({ kind: 'drop_socket', count: 1 }, 'lost-1');
    const client = await Client.ready();
    await client.ask({ type: 'subscribe' });
    await getOrder('lost-1');
    expect((await client.closed).code).toBe(1006);
    expect(sandbox.pushes('lost-1')).toMatchObject([{ status: 1, kind: 'dropped' }]);
    // The missed update is still in the catch-up listing.
    const response = await fetch(`${sandbox.url}/v2/orders`, { headers: { Authorization: AUTHORIZATION } });
    const { orders } = (await response.json()) as { orders: { houdiniId: string; status: number }[] };
    expect(orders.find((order) => order.houdiniId === 'lost-1')?.status).toBe(1);
  });
});

describe('dropped connections', () => {
  it('needs a re-subscribe after reconnecting: subscriptions are not persisted', async () => {
    addStepping('again-1', ['WAITING', 'CONFIRMING', 'EXCHANGING', 'FINISHED']);
    const before = await Client.ready();
    await before.ask({ type: 'subscribe' });
    expect(sandbox.dropSockets()).toBe(1);
    expect((await before.closed).code).toBe(1006);

    const after = await Client.ready();
    await getOrder('again-1');
    await after.expectNothing();
    await after.ask({ type: 'subscribe', houdiniIds: ['again-1'] });
    await getOrder('again-1');
    expect((await after.nextUpdate()).data.status).toBe(2);
    expect(sandbox.pushes('again-1').map((push) => push.status)).toEqual([2]);
  });
});
