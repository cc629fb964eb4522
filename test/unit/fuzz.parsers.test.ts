/**
 * Property-based fuzzing of the parsers of outside input: never a crash, always either a valid
 * value or an error that names the problem. The HTTP edges (adapters against a provider answering
 * anything, the ingress) are fuzzed over sockets in test/sandbox/fuzz.edges.test.ts.
 */
import fc from 'fast-check';
import { magmaGetOrderSchema } from '../../providers/magma/magma-schema';
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
