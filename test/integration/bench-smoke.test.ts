/**
 * The benchmark (`npm run bench`, harness/bench/run.ts) at a tiny size: the same code end to end — sandbox,
 * dev server, worker child processes, one SIGKILL mid-run — with 20 orders, order-tracker and the
 * seed loops, at a high time scale. Checks the results files, that order-tracker lost and doubled
 * nothing, that its list pages are counted and its actions read from the server; the figures
 * themselves are for harness/bench/results.md, not for assertions.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOptions } from '../../harness/bench/options';
import { runBench, writeResults, type BenchResults } from '../../harness/bench/run';

/** About 80 s here; a killed poll group's orders wait out its 30 s heartbeat timeout before they are polled again. */
const SMOKE_TIMEOUT_MS = 180_000;

test(
  'bench: a tiny run writes results.json and results.md, and order-tracker loses and doubles nothing',
  async () => {
    const outputDir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
    const options = parseOptions(['--orders', '20', '--time-scale', '600', '--contenders', 'order-tracker,seed-loops', '--scaling', 'none'], outputDir);
    const lines: string[] = [];
    const startedAt = Date.now();
    const results = await runBench(options, (line) => lines.push(line));
    writeResults(results, outputDir);
    console.log(`bench smoke run in ${((Date.now() - startedAt) / 1000).toFixed(0)} s\n${lines.join('\n')}`);

    const written = JSON.parse(readFileSync(join(outputDir, 'results.json'), 'utf8')) as BenchResults;
    expect(written.workload.orders).toBe(20);
    expect(written.contenders.map((result) => result.name)).toEqual(['order-tracker', 'seed-loops']);
    for (const result of written.contenders) {
      expect(result).toMatchObject({
        orders: 20,
        timeScale: 600,
        requests: expect.any(Number),
        requestsPerOrder: expect.any(Number),
        lagMs: { count: expect.any(Number), p50: expect.any(Number), p95: expect.any(Number), p99: expect.any(Number) },
        cpuSecondsPer1000Cycles: expect.any(Number),
        peakWorkerRssMiB: expect.any(Number),
        kill: { lost: expect.any(Number), doubled: expect.any(Number) },
      });
      expect(result.requests).toBeGreaterThan(0);
      expect(result.kill.atSeconds).not.toBeNull();
    }
    const tracker = written.contenders.find((result) => result.name === 'order-tracker');
    expect(tracker?.history?.executions).toBeGreaterThanOrEqual(20);
    expect(tracker?.kill).toMatchObject({ lost: 0, doubled: 0, wrongOutcome: 0 });
    // It followed every order to the end, so its requests over the followed orders are its requests per
    // order: list pages (Houdini, Magma) name no order and are shared by the orders in flight when asked.
    expect(tracker?.listPages).toBeGreaterThan(0);
    for (const [provider, perOrder] of Object.entries(tracker?.requestsPerOrderByProvider ?? {})) {
      expect(tracker?.requestsPerFollowedOrderByProvider?.[provider as keyof typeof tracker.requestsPerOrderByProvider]).toBeCloseTo(perOrder, 6);
    }
    // Order by order (workload indexes), what the report compares between contenders over the orders both followed.
    const byOrder = Object.values(tracker?.requestsOfFollowedOrders ?? {}).flatMap((counts) => Object.entries(counts));
    expect(byOrder.map(([index]) => Number(index)).sort((left, right) => left - right)).toEqual(Array.from({ length: 20 }, (_, index) => index));
    expect(byOrder.reduce((sum, [, count]) => sum + count, 0)).toBeCloseTo(tracker?.requests ?? Number.NaN, 6);
    // Temporal actions from the server's histories: every order's start and its first poll, the groups' heartbeats.
    expect(tracker?.actions?.orders).toBe(20);
    expect(tracker?.actions?.mean.starts).toBeGreaterThanOrEqual(1);
    expect(tracker?.actions?.attemptsByType.pollUntilChanged).toBeGreaterThanOrEqual(1);
    expect(tracker?.actions?.groups.heartbeats).toBeGreaterThan(0);
    const markdown = readFileSync(join(outputDir, 'results.md'), 'utf8');
    expect(markdown).toContain('## Contenders');
    expect(markdown).toContain('## Targets');
    expect(markdown).toContain('## Temporal actions per order');
  },
  SMOKE_TIMEOUT_MS,
);
