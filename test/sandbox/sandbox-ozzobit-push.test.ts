/**
 * The OZZOBiT simulator's push side: signed webhooks to a local receiver, socket.io updates to
 * socket.io-client connected the seed's way, pushes on timed steps nobody polls, and push faults.
 */
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import { startOzzobitSandbox } from '../../sandbox/ozzobit';
import type { OzzobitSandbox } from '../../sandbox/ozzobit';

const SECRET_KEY = 'ozz-secret';
const API_KEY = 'ozz-socket-key';
const WEBHOOK_SECRET = 'ozz-webhook-secret';
// 1000×: a 100-simulated-second step lasts 100 real milliseconds.
const TIME_SCALE = 1000;

interface Delivery {
  orderId: string;
  eventName: string;
  status: string;
  signatureValid: boolean;
}

let sandbox: OzzobitSandbox;
let receiver: Server;
let receiverStatus = 200;
const deliveries: Delivery[] = [];
const sockets: Socket[] = [];

beforeAll(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      // Verified here with node:crypto directly, independent of the simulator and the adapter.
      const expected = createHmac('sha256', WEBHOOK_SECRET).update(raw).digest('hex');
      const event = JSON.parse(raw.toString('utf8')) as { eventName: string; data: { id: string; status: string } };
      deliveries.push({
        orderId: event.data.id,
        eventName: event.eventName,
        status: event.data.status,
        signatureValid: request.headers['x-ozzobit-signature'] === expected,
      });
      response.writeHead(receiverStatus).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/OZZOBiT-webhook`;
  sandbox = await startOzzobitSandbox({ secretKey: SECRET_KEY, apiKey: API_KEY, webhook: { url, secret: WEBHOOK_SECRET }, timeScale: TIME_SCALE });
});
afterAll(async () => {
  for (const socket of sockets) socket.close();
  await sandbox.close();
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});
afterEach(() => {
  sandbox.clearFaults();
  receiverStatus = 200;
});

const deliveredFor = (orderId: string) => deliveries.filter((delivery) => delivery.orderId === orderId);
const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

async function waitFor(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await sleep(10);
  }
}

/** Connects as the seed does, subscribing to the order on every connect (so also after a drop). */
async function subscribedSocket(orderId: string): Promise<{ socket: Socket; statuses: string[]; subscriptions: () => number }> {
  const socket = io(sandbox.wsUrl, { auth: { apiKey: API_KEY }, reconnectionDelay: 50, reconnectionDelayMax: 100 });
  sockets.push(socket);
  const statuses: string[] = [];
  let subscriptions = 0;
  socket.on('connect', () => {
    socket.emit('subscribe:order', { orderId }, () => (subscriptions += 1));
  });
  socket.on('order:update', (update: { status: string }) => statuses.push(update.status));
  await waitFor(() => subscriptions >= 1);
  return { socket, statuses, subscriptions: () => subscriptions };
}

async function poll(orderId: string): Promise<void> {
  const response = await fetch(`${sandbox.url}/api/v2/orders/${orderId}`, { headers: { Authorization: `Bearer ${SECRET_KEY}` } });
  expect(response.status).toBe(200);
}

function connectError(options: { auth?: Record<string, unknown>; url?: string }): Promise<string> {
  const socket = io(options.url ?? sandbox.wsUrl, { ...(options.auth && { auth: options.auth }), reconnection: false });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.on('connect', () => reject(new Error('connected')));
    socket.on('connect_error', (error) => resolve(error.message));
  });
}

describe('socket.io', () => {
  it.each([
    ['a wrong apiKey', { apiKey: 'wrong' }],
    ['the REST secret key', { apiKey: SECRET_KEY }],
    ['no auth', undefined],
  ])('refuses %s at connect', async (_name, auth) => {
    expect(await connectError({ auth })).toBe('unauthorized');
  });

  it('serves only the /ws namespace', async () => {
    expect(await connectError({ auth: { apiKey: API_KEY }, url: sandbox.wsUrl.replace(/\/ws$/, '') })).toMatch(/connect to \/ws/);
  });

  it('pushes order:update on every status change, including timed steps nobody polls', async () => {
    const { statuses } = await subscribedSocket('timed');
    sandbox.addOrder({
      id: 'timed',
      steps: [{ status: 'PROCESSING', durationMs: 100_000 }, { status: 'PENDING_DELIVERY', durationMs: 100_000 }, { status: 'COMPLETED' }],
    });
    await waitFor(() => statuses.length >= 3);
    expect(statuses).toEqual(['PROCESSING', 'PENDING_DELIVERY', 'COMPLETED']);
    expect(sandbox.requests('timed')).toEqual([]);
  });

  it('pushes every status that passed between two looks, in order, and none for a step that keeps its status', async () => {
    const { statuses } = await subscribedSocket('quick');
    sandbox.addOrder({
      id: 'quick',
      steps: [
        { status: 'PROCESSING', durationMs: 1 },
        { status: 'PROCESSING', durationMs: 1, fields: { fiatAmount: 101 } },
        { status: 'PENDING_DELIVERY', durationMs: 1 },
        { status: 'FAILED' },
      ],
    });
    await waitFor(() => statuses.length >= 3);
    await sleep(100);
    expect(statuses).toEqual(['PROCESSING', 'PENDING_DELIVERY', 'FAILED']);
  });

  it('acknowledges subscriptions, refuses one without an orderId, and stops after unsubscribe', async () => {
    const { socket, statuses } = await subscribedSocket('leaving');
    expect(await socket.emitWithAck('subscribe:order', {})).toEqual({ ok: false, error: 'subscribe:order needs { orderId }' });
    sandbox.addOrder({ id: 'leaving', steps: [{ status: 'PROCESSING', requests: 1 }, { status: 'COMPLETED' }] });
    await waitFor(() => statuses.length >= 1);
    expect(await socket.emitWithAck('unsubscribe:order', { orderId: 'leaving' })).toEqual({ ok: true, orderId: 'leaving' });
    await poll('leaving'); // moves the order to COMPLETED
    await waitFor(() => sandbox.pushes('leaving').length >= 2);
    await sleep(100);
    expect(statuses).toEqual(['PROCESSING']);
    const socketPushes = sandbox.pushes('leaving').filter((entry) => entry.channel === 'socket');
    expect(socketPushes.map((entry) => [entry.status, entry.recipients])).toEqual([['PROCESSING', 1], ['COMPLETED', 0]]);
  });
});

describe('webhooks', () => {
  it('POSTs { eventName: ORDER_<STATUS>, data } signed with the webhook secret, in order', async () => {
    sandbox.addOrder({ id: 'hooked', steps: [{ status: 'PROCESSING', requests: 1 }, { status: 'PENDING_DELIVERY', durationMs: 100_000 }, { status: 'CANCELLED' }] });
    await poll('hooked');
    // The receiver may record a delivery a moment before the simulator logs the answer: wait for both.
    await waitFor(() => deliveredFor('hooked').length >= 3 && sandbox.webhooks('hooked').length >= 3);
    expect(deliveredFor('hooked')).toEqual([
      { orderId: 'hooked', eventName: 'ORDER_PROCESSING', status: 'PROCESSING', signatureValid: true },
      { orderId: 'hooked', eventName: 'ORDER_PENDING_DELIVERY', status: 'PENDING_DELIVERY', signatureValid: true },
      { orderId: 'hooked', eventName: 'ORDER_CANCELLED', status: 'CANCELLED', signatureValid: true },
    ]);
    expect(sandbox.webhooks('hooked').map((entry) => [entry.eventName, entry.httpStatus])).toEqual([
      ['ORDER_PROCESSING', 200],
      ['ORDER_PENDING_DELIVERY', 200],
      ['ORDER_CANCELLED', 200],
    ]);
  });

  it('logs the receiver’s answer, and 0 when nobody is listening', async () => {
    receiverStatus = 503;
    sandbox.addOrder({ id: 'refused', steps: [{ status: 'PROCESSING' }] });
    await waitFor(() => sandbox.webhooks('refused').length >= 1);
    expect(sandbox.webhooks('refused')[0]).toMatchObject({ httpStatus: 503 });

    const orphan = await startOzzobitSandbox({ secretKey: SECRET_KEY, apiKey: API_KEY, webhook: { url: 'http://127.0.0.1:9/hook', secret: 'x' } });
    try {
      orphan.addOrder({ id: 'nowhere', steps: [{ status: 'PROCESSING' }] });
      await waitFor(() => orphan.webhooks('nowhere').length >= 1);
      expect(orphan.webhooks('nowhere')[0]).toMatchObject({ eventName: 'ORDER_PROCESSING', httpStatus: 0 });
    } finally {
      await orphan.close();
    }
  });
});

describe('push faults', () => {
  it('duplicate_push: the webhook and the socket update each arrive twice', async () => {
    const { statuses } = await subscribedSocket('twice');
    sandbox.setFault({ kind: 'duplicate_push', count: 1 }, 'twice');
    sandbox.addOrder({ id: 'twice', steps: [{ status: 'PROCESSING', durationMs: 100_000 }, { status: 'COMPLETED' }] });
    await waitFor(() => statuses.length >= 3 && deliveredFor('twice').length >= 3 && sandbox.webhooks('twice').length >= 3);
    expect(statuses).toEqual(['PROCESSING', 'PROCESSING', 'COMPLETED']);
    expect(deliveredFor('twice').map((delivery) => delivery.status)).toEqual(['PROCESSING', 'PROCESSING', 'COMPLETED']);
    expect(sandbox.webhooks('twice').map((entry) => entry.replay)).toEqual([undefined, 'duplicate', undefined]);
  });

  it('stale_push: after the newer status, the older one is pushed again', async () => {
    const { statuses } = await subscribedSocket('stale');
    sandbox.addOrder({ id: 'stale', steps: [{ status: 'PENDING_DELIVERY', durationMs: 100_000 }, { status: 'COMPLETED' }] });
    sandbox.setFault({ kind: 'stale_push', count: 1 }, 'stale');
    await waitFor(() => statuses.length >= 3 && deliveredFor('stale').length >= 3 && sandbox.webhooks('stale').length >= 3);
    expect(statuses).toEqual(['PENDING_DELIVERY', 'COMPLETED', 'PENDING_DELIVERY']);
    expect(deliveredFor('stale').map((delivery) => delivery.eventName)).toEqual(['ORDER_PENDING_DELIVERY', 'ORDER_COMPLETED', 'ORDER_PENDING_DELIVERY']);
    expect(sandbox.pushes('stale').filter((entry) => entry.replay === 'stale')).toHaveLength(2);
  });

  it('drop_socket: the subscriber loses that update and its connection, reconnects, and gets the next one', async () => {
    const { statuses, subscriptions } = await subscribedSocket('dropped');
    sandbox.addOrder({
      id: 'dropped',
      steps: [{ status: 'PROCESSING', requests: 1 }, { status: 'PENDING_DELIVERY', requests: 1 }, { status: 'COMPLETED' }],
    });
    await waitFor(() => statuses.length >= 1);
    sandbox.setFault({ kind: 'drop_socket', count: 1 }, 'dropped');
    await poll('dropped'); // → PENDING_DELIVERY, and the socket is dropped
    await waitFor(() => subscriptions() === 2); // reconnected and subscribed again, as the seed's handler does
    await poll('dropped'); // → COMPLETED
    await waitFor(() => statuses.includes('COMPLETED'));
    expect(statuses).toEqual(['PROCESSING', 'COMPLETED']);
    // The webhook is a different channel: it got every status.
    await waitFor(() => deliveredFor('dropped').length >= 3);
    expect(deliveredFor('dropped').map((delivery) => delivery.status)).toEqual(['PROCESSING', 'PENDING_DELIVERY', 'COMPLETED']);
    expect(sandbox.pushes('dropped').find((entry) => entry.fault === 'drop_socket')).toMatchObject({
      channel: 'socket',
      status: 'PENDING_DELIVERY',
      recipients: 1,
    });
  });
});
