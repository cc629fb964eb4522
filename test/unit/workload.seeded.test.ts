/**
 * The harness's one seeded generator (harness/workload/random.ts) and its two uses: the bench's
 * corpus and the crash and fault runs' planned orders. The same seed must give the same orders as
 * the code that recorded harness/bench/runs/ and the crash runs' seeds (the fingerprints below were
 * taken before the two workloads shared the generator): a changed draw is a changed workload.
 */
import { createHash } from 'node:crypto';
import { PROVIDER_NAMES } from '../../domain/types';
import { buildPromptWorkload, buildSustainedWorkload, buildWorkload } from '../../harness/workload/corpus';
import { planOrders } from '../../harness/workload/planned-orders';
import { between, pick, random } from '../../harness/workload/random';

const fingerprint = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
const providers = [...PROVIDER_NAMES];

const workloads = (seed: number) => [
  fingerprint(buildWorkload({ orders: 200, providers, arrivalWindowMs: 3_600_000, seed })),
  fingerprint(buildPromptWorkload({ orders: 50, arrivalWindowMs: 600_000, seed })),
  fingerprint(buildSustainedWorkload({ orders: 100, providers, arrivalWindowMs: 60_000, seed, holdMs: 999_999 })),
  fingerprint(planOrders(60, providers, 30_000, 'abc', random(seed), false)),
  fingerprint(planOrders(60, providers, 30_000, 'abc', random(seed), true)),
];

test.each([
  [1, ['6f714d207b55ad16', 'f64fbc48622c536a', '1c703e7bf4f376b1', '88bd591fbfc7748d', 'ad698cf3b100f7b4']],
  [7, ['e32bb408e66e1c4e', '4e256218198fc477', 'cef4e8c76af04c9d', '9b2a16a0ecf9917f', '8df10d2abbcc9384']],
  [42, ['f5a736e8ad63c2f6', '22d0b5ea15a3a675', 'e9dbe0608dd30b04', '2af8d93f2102ae9f', 'f379064411e472bb']],
])('seed %i plays the same corpus, prompts, sustained orders and crash plans as before', (seed, expected) => {
  expect(workloads(seed)).toEqual(expected);
});

test('another seed plays other orders', () => {
  expect(workloads(8)).not.toEqual(workloads(7));
});

test('the generator repeats itself for a seed and stays in [0, 1)', () => {
  const first = random(99);
  const second = random(99);
  const drawn = Array.from({ length: 1_000 }, () => first());
  expect(Array.from({ length: 1_000 }, () => second())).toEqual(drawn);
  expect(drawn.every((value) => value >= 0 && value < 1)).toBe(true);
});

test('between and pick stay within their bounds', () => {
  const rand = random(3);
  for (let draw = 0; draw < 500; draw += 1) {
    const value = between(rand, 2, 5);
    expect(Number.isInteger(value) && value >= 2 && value <= 5).toBe(true);
    expect(['a', 'b', 'c']).toContain(pick(rand, ['a', 'b', 'c']));
  }
});
