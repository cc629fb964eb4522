/**
 * Property-based fuzzing of every edge that takes outside input: never a crash, always either a
 * valid value or an error that names the problem.
 */
import fc from 'fast-check';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMagmaAdapter } from '../../activities/providers/magma/magma-client';
import { magmaGetOrderSchema } from '../../activities/providers/magma/magma-schema';
import { ProviderCallError } from '../../activities/providers/provider-error';
import { parseDuration } from '../../common/duration';
import { InvalidInputError, parseOrderId, parseProvider, parseReference } from '../../common/order-input';
import { parseObservation } from '../../workflows/observation';

const RUNS = 300;

/** Any JSON-ish value a provider or a signal could send, including deep and odd shapes. */
const anyValue = fc.anything({ withBigInt: false, withMap: false, withSet: false, withTypedArray: false, maxDepth: 4 });

test('parseObservation never throws and only accepts bounded observations', () => {
  fc.assert(
    fc.property(anyValue, (value) => {
      const parsed = parseObservation(value);
      if (!parsed.ok) return parsed.error.length > 0;
      const { observation } = parsed;
      return (
        observation.status.length <= 128 &&
        Object.keys(observation.details).length <= 24 &&
        Object.values(observation.details).every((detail) => typeof detail !== 'string' || detail.length <= 512)
      );
    }),
    { numRuns: RUNS },
  );
});

test('parseObservation accepts every well-formed observation', () => {
  const observation = fc.record({
    status: fc.string({ minLength: 1, maxLength: 128 }),
    phase: fc.constantFrom('in_flight', 'succeeded', 'failed'),
    recognised: fc.boolean(),
    rank: fc.integer({ min: -1000, max: 1000 }),
    nextWaitMs: fc.integer({ min: 0, max: 86_400_000 }),
    details: fc.dictionary(fc.string({ maxLength: 20 }), fc.oneof(fc.string({ maxLength: 100 }), fc.integer(), fc.boolean(), fc.constant(null)), { maxKeys: 10 }),
  });
  fc.assert(fc.property(observation, (value) => parseObservation(value).ok), { numRuns: RUNS });
});

test('the Magma response schema never throws on any input', () => {
  fc.assert(fc.property(anyValue, (value) => typeof magmaGetOrderSchema.safeParse(value).success === 'boolean'), { numRuns: RUNS });
});

test.each([
  ['parseProvider', parseProvider],
  ['parseOrderId', parseOrderId],
  ['parseReference', parseReference],
])('%s either returns or throws an InvalidInputError naming the value', (_name, parse) => {
  fc.assert(
    fc.property(anyValue, (value) => {
      try {
        parse(value);
        return true;
      } catch (error) {
        return error instanceof InvalidInputError && error.message.length > 0;
      }
    }),
    { numRuns: RUNS },
  );
});

test('parseDuration never throws and returns only positive whole milliseconds', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 30 }), (text) => {
      const milliseconds = parseDuration(text);
      return milliseconds === undefined || (Number.isInteger(milliseconds) && milliseconds > 0);
    }),
    { numRuns: RUNS },
  );
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
