/** A fault run's size, what one fault scenario showed, and the run's report as the script prints it. */

export interface FaultSize {
  /** Orders per scenario. */
  orders: number;
  /** Orders are started over this window… */
  windowMs: number;
  /** …the fault starts this long after the first… */
  faultAtMs: number;
  /** …and lasts this long. */
  faultMs: number;
  /** After the heal and the last start, how long every order may take to end. */
  settleTimeoutMs: number;
}

export interface FaultRunReport {
  seed: number;
  size: FaultSize;
  scenarios: ScenarioReport[];
  wallTimeMs: number;
  workDir: string;
  problems: string[];
}

export interface ScenarioReport {
  scenario: string;
  description: string;
  orders: number;
  ledgerRows: number;
  callbacksProcessed: number;
  /** Requests the receiver got for this scenario's orders (retries included). */
  callbackRequests: number;
  /** 2xx answers to a key already taken: absorbed by the Idempotency-Key, never processed twice. */
  duplicateDeliveries: number;
  ordersLost: number;
  ordersStuck: number;
  /** Orders whose verdict came at the provider while the links were broken. */
  heldBack: number;
  /** p95 over those of heal → their callback taken (0 when the fault held nothing back). */
  lagAfterHealP95Ms: number;
  /** Heal → the last callback of the orders started before the heal. */
  drainMs: number;
  /** OZZOBiT webhook attempts the ingress did not take (503 while Temporal was away, or unreached), and those it took. */
  webhooksRefused: number;
  webhooksTaken: number;
  stepsRetried: Record<string, number>;
  problems: string[];
}

/** The value below which `share` of `values` fall (nearest rank); 0 for none. */
export function percentile(values: readonly number[], share: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] as number;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function formatFaultReport(report: FaultRunReport): string {
  const { size } = report;
  const header = `fault tier (seed ${report.seed}; ${size.orders} orders per scenario over ${seconds(size.windowMs)}, links broken ${seconds(size.faultMs)} from ${seconds(size.faultAtMs)}): ${report.problems.length === 0 ? 'PASSED' : 'FAILED'}`;
  const rows = report.scenarios.map((scenario) =>
    [
      `  ${scenario.scenario.padEnd(22)}`,
      `rows ${scenario.ledgerRows}/${scenario.orders}`,
      `callbacks ${scenario.callbacksProcessed} (${scenario.callbackRequests} requests, ${scenario.duplicateDeliveries} duplicate)`,
      `lost ${scenario.ordersLost}, stuck ${scenario.ordersStuck}`,
      `held back ${scenario.heldBack}, lag after heal p95 ${seconds(scenario.lagAfterHealP95Ms)}, drained in ${seconds(scenario.drainMs)}`,
      `webhooks refused ${scenario.webhooksRefused}, taken ${scenario.webhooksTaken}`,
    ].join(' | '),
  );
  return [
    header,
    ...rows,
    `  wall time: ${seconds(report.wallTimeMs)}`,
    ...report.problems.map((text) => `  PROBLEM: ${text}`),
    ...(report.problems.length > 0 ? [`  evidence: ${report.workDir}`] : []),
  ].join('\n');
}
