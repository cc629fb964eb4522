/**
 * The fault tier at a size `npm test` can afford (issue 29): the same run as `npm run test:faults`
 * (harness/faults/), one scenario of each kind, a dozen orders each, links broken for 10 s. Toxiproxy
 * (built from its Go module by scripts/get-toxiproxy.sh) sits between the worker and Temporal, the
 * ingress and Temporal, the worker and each provider simulator, PostgreSQL and the callback
 * receiver. Every order must end as its script dictates with one ledger row and one processed
 * callback, and no process may die.
 */
import { SMALL_SIZE, runFaultTier } from '../../harness/faults/fault-run';
import { formatFaultReport } from '../../harness/faults/fault-report';
import { SMALL_RUN_SCENARIOS } from '../../harness/faults/scenarios';

test(
  'latency, a hung provider, a trickled callback, the ledger and Temporal out of reach: 0 lost, 0 doubled, every outcome right',
  async () => {
    const lines: string[] = [];
    const report = await runFaultTier({ ...SMALL_SIZE, scenarios: SMALL_RUN_SCENARIOS, log: (line) => lines.push(line) });
    console.log(`${formatFaultReport(report)}${report.problems.length > 0 ? `\n${lines.join('\n')}` : ''}`);
    expect(report.problems).toEqual([]);
    for (const scenario of report.scenarios) {
      expect({ scenario: scenario.scenario, rows: scenario.ledgerRows, callbacks: scenario.callbacksProcessed, lost: scenario.ordersLost, stuck: scenario.ordersStuck }).toEqual({
        scenario: scenario.scenario,
        rows: SMALL_SIZE.orders,
        callbacks: SMALL_SIZE.orders,
        lost: 0,
        stuck: 0,
      });
    }
    // The ingress answered 503 while Temporal was away and OZZOBiT delivered again once it was back.
    const ingressDown = report.scenarios.find((scenario) => scenario.scenario === 'down:ingress-temporal');
    expect(ingressDown?.webhooksRefused).toBeGreaterThan(0);
  },
  600_000,
);
