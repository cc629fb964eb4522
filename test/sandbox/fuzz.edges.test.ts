/**
 * Property-based fuzzing of the HTTP edges: every provider adapter against a provider answering
 * anything, the OZZOBiT webhook route and the HTTP API against any body. Never a crash or a 5xx
 * from bad input, always a typed error or a 4xx naming the problem, and nothing reaches a workflow.
 */
import fc from 'fast-check';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHoudiniAdapter } from '../../providers/houdini/houdini-client';
import { createMagmaAdapter } from '../../providers/magma/magma-client';
import { createMiracleCashAdapter } from '../../providers/miraclecash/miraclecash-client';
import { signOzzobitWebhook } from '../../providers/ozzobit/ozzobit-protocol';
import { createOzzobitAdapter } from '../../providers/ozzobit/ozzobit-client';
import type { ProviderAdapter } from '../../providers/provider';
import { ProviderCallError } from '../../providers/provider-error';
import type { Client } from '@temporalio/client';
import { OrderTracker } from '../../client/order-tracker';
import { parseOrderId, parseProvider } from '../../common/order-input';
import { buildIngress } from '../../workers/ingress';
import { createOzzobitSignatureVerifier } from '../../providers/ozzobit/ozzobit-webhook-verifier';
import { ozzobitWebhookRoute } from '../../providers/ozzobit/ozzobit-push';
import { webhookRoute } from '../../workers/push/webhook-routes';
import { parseObservation } from '../../workflows/observation';

const anyJson = fc.jsonValue({ maxDepth: 4 });
/** Any JSON-ish value a provider could send, including deep and odd shapes. */
const anyValue = fc.anything({ withBigInt: false, withMap: false, withSet: false, withTypedArray: false, maxDepth: 4 });

describe('every REST adapter against a provider answering anything', () => {
  let server: Server;
  let next = { status: 200, contentType: 'application/json', body: '{}' };
  let base = '';

  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(next.status, { 'content-type': next.contentType }).end(next.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Bodies shaped like each provider's answer, with odd, huge or wrongly typed fields. */
  const odd = fc.oneof(fc.string({ maxLength: 3000 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), anyJson);
  const shaped = fc.oneof(
    fc.record({ id: odd, status: odd, blockchainId: odd, createdAt: odd }, { requiredKeys: [] }),
    fc.record({ id: fc.constant('order-1'), status: odd, walletAddress: odd, updatedAt: odd }, { requiredKeys: [] }),
    fc.record({ houdiniId: fc.constant('order-1'), status: odd, expires: odd, inAmount: odd, outSymbol: odd }, { requiredKeys: [] }),
    fc.record({ id: fc.constant('order-1'), status: fc.constantFrom('pending', 'COMPLETED', 'PROCESSING', 'successful'), createdAt: odd }),
  );
  const body = fc.oneof(shaped.map((value) => JSON.stringify(value)), anyJson.map((value) => JSON.stringify(value)), fc.string({ maxLength: 300 }));

  const adapters: [string, () => ProviderAdapter][] = [
    ['miraclecash', () => createMiracleCashAdapter({ url: base, clientId: 'c', apiKey: 'k', requestTimeoutMs: 2_000 })],
    ['ozzobit', () => createOzzobitAdapter({ url: base, secretKey: 's', requestTimeoutMs: 2_000 })],
    ['houdini', () => createHoudiniAdapter({ url: base, partnerId: 'p', secret: 's', pushes: false, requestTimeoutMs: 2_000 })],
  ];

  test.each(adapters)('%s: fetchOrder resolves to a valid observation or throws a ProviderCallError', async (_name, create) => {
    const adapter = create();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(200, 200, 200, 201, 400, 401, 404, 418, 429, 500, 503), body, async (status, text) => {
        next = { status, contentType: 'application/json', body: text };
        try {
          return parseObservation(await adapter.fetchOrder('order-1')).ok;
        } catch (error) {
          return error instanceof ProviderCallError && error.message.length > 0;
        }
      }),
      { numRuns: 120 },
    );
  });
});

describe('the Magma adapter against a provider answering anything', () => {
  let server: Server;
  let next: { status: number; contentType: string; body: string } = { status: 200, contentType: 'application/json', body: '{}' };

  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(next.status, { 'content-type': next.contentType }).end(next.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const orderShaped = fc.record({
    id: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
    status: fc.oneof(fc.string({ maxLength: 2000 }), fc.integer(), fc.constant(null)),
    payment_status: fc.oneof(fc.string({ maxLength: 5000 }), fc.constant(null), fc.integer()),
    confirmations: fc.oneof(fc.record({ confirmations: fc.oneof(fc.integer(), fc.string(), fc.double()) }), fc.constant(null)),
    timeout: fc.oneof(fc.string(), fc.date({ noInvalidDate: true }).map((date) => date.toISOString()), fc.constant(null)),
  }, { requiredKeys: [] });
  const body = fc.oneof(
    anyValue.map((value) => JSON.stringify(value) ?? 'null'),
    orderShaped.map((order) => JSON.stringify({ data: { user: { market: { orders: { get_order: order } } } } })),
    fc.string({ maxLength: 200 }),
  );

  test('fetchOrder resolves to a valid observation or throws a ProviderCallError', async () => {
    const adapter = createMagmaAdapter({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, apiKey: 'key', requestTimeoutMs: 2_000 });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(200, 200, 200, 400, 401, 403, 404, 429, 500, 502),
        fc.constantFrom('application/json', 'text/plain', 'application/graphql-response+json'),
        body,
        async (status, contentType, text) => {
          next = { status, contentType, body: text };
          try {
            const observation = await adapter.fetchOrder('order-1');
            return parseObservation(observation).ok;
          } catch (error) {
            return error instanceof ProviderCallError && error.message.length > 0;
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('the ingress against any request', () => {
  const SECRET = 'fuzz-webhook-secret';
  const pushes: unknown[] = [];
  const starts: { args: [{ provider: string; orderId: string; maxWaitMs: number }]; memo?: Record<string, unknown> }[] = [];
  // The real OrderTracker (its validation is what is fuzzed) over a stand-in for Temporal that
  // records what would have been started.
  const client = {
    workflow: {
      start: async (_workflow: unknown, options: (typeof starts)[number]) => {
        starts.push(options);
        return { firstExecutionRunId: 'run' };
      },
      // Every start here is a new run: it carries the memo of the track that started it. Before a
      // start the order reads as running, so no outcome of an earlier run is looked for.
      getHandle: () => ({ describe: async () => ({ status: { name: 'RUNNING' }, memo: starts[starts.length - 1]?.memo }) }),
      signalWithStart: async (_workflow: unknown, options: { signalArgs: unknown[] }) => {
        pushes.push(options.signalArgs);
        return { signaledRunId: 'run' };
      },
    },
  } as unknown as Client;
  const tracker = new OrderTracker({ client, taskQueue: 'fuzz' });
  let base = '';
  const app = buildIngress({
    tracker,
    token: 'token',
    webhooks: [
      webhookRoute({
        provider: 'ozzobit',
        route: ozzobitWebhookRoute(createOzzobitSignatureVerifier(SECRET)),
        tracker,
        logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      }),
    ],
    // The fuzzer is one client sending as fast as it can: flood control (ingress-flood.ts) would answer it 429.
    floodLimits: { connectionsPerClient: 1_000, requestsPerSecond: 1_000_000, burst: 1_000_000 },
  });

  beforeAll(async () => {
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => app.close());

  test('a webhook with any body and any signature is answered 200, 400 or 401 — pushed only when signed and a valid order event', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(anyJson.map((value) => JSON.stringify(value)), fc.string({ maxLength: 500 }), fc.record({ eventName: fc.string(), data: anyJson }).map((value) => JSON.stringify(value))),
        fc.constantFrom('none', 'forged', 'valid'),
        async (text, signing) => {
          const before = pushes.length;
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (signing === 'forged') headers['x-ozzobit-signature'] = signOzzobitWebhook(text, 'not-the-secret');
          if (signing === 'valid') headers['x-ozzobit-signature'] = signOzzobitWebhook(text, SECRET);
          const response = await fetch(`${base}/webhooks/ozzobit`, { method: 'POST', headers, body: text });
          const answer = (await response.json()) as { error?: string };
          // A signed event that is not an order event is answered 200 too (the seed's switch), pushing nothing.
          const ignored = (answer as { ignored?: unknown }).ignored;
          if (response.status === 200 && typeof ignored === 'string') return signing === 'valid' && /^not an order event/.test(ignored) && pushes.length === before;
          if (response.status === 200) return signing === 'valid' && pushes.length === before + 1;
          const named = typeof answer.error === 'string' && answer.error.length > 0;
          return [400, 401].includes(response.status) && named && pushes.length === before && (signing === 'valid' || response.status === 401);
        },
      ),
      { numRuns: 150 },
    );
  });

  test('POST /orders with any body is a 2xx only for a valid order, otherwise a 400 naming the problem', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          anyJson.map((value) => JSON.stringify(value)),
          fc.record({ provider: fc.oneof(fc.constantFrom('magma', 'houdini'), fc.string()), orderId: fc.oneof(fc.string({ maxLength: 200 }), fc.integer()), maxWait: fc.oneof(fc.string(), fc.integer(), fc.double()) }, { requiredKeys: [] }).map((value) => JSON.stringify(value)),
          fc.string({ maxLength: 200 }),
        ),
        async (text) => {
          const before = starts.length;
          const response = await fetch(`${base}/orders`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer token' }, body: text });
          const answer = (await response.json()) as { error?: string };
          if (response.status === 202) {
            const started = starts[starts.length - 1]?.args[0];
            // Only a valid order reaches Temporal: a known provider, an id of the contract's characters, a positive wait.
            return starts.length === before + 1 && parseProvider(started?.provider) === started?.provider &&
              parseOrderId(started?.orderId) === started?.orderId && (started?.maxWaitMs ?? 0) > 0;
          }
          return response.status === 400 && typeof answer.error === 'string' && answer.error.length > 0 && starts.length === before;
        },
      ),
      { numRuns: 150 },
    );
  });
});
