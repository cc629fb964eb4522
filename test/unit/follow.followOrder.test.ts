import { followOrder, rowsOf, type FollowMode } from '../../cli/follow';
import { OrderNotFoundError } from '../../client/order-tracker';
import type { Outcome, Progress, TrackOrderResult } from '../../domain/types';

const NOW = Date.parse('2026-06-10T18:00:00.000Z');

const WAITING: Progress = {
  provider: 'magma',
  orderId: 'order-1',
  reference: null,
  status: 'WAITING_FOR_BUYER_PAYMENT',
  phase: 'in_flight',
  recognised: true,
  outcome: null,
  polls: 1,
  pushes: 0,
  startedAt: '2026-06-10T17:59:50.000Z',
  lastPolledAt: '2026-06-10T17:59:51.000Z',
  nextPollAt: '2026-06-10T18:00:05.000Z',
  deadline: '2026-06-10T19:59:50.000Z',
  details: { payment_status: 'PENDING', timeout: '2026-06-10T18:10:00.000Z' },
  transitions: [{ status: 'WAITING_FOR_BUYER_PAYMENT', at: '2026-06-10T17:59:51.000Z', source: 'poll' }],
  transitionsDropped: 0,
  attention: null,
  fulfilment: { recorded: false, callback: 'none' },
};

const PAID: Progress = {
  ...WAITING,
  status: 'WAITING_FOR_CHANNEL_OPEN',
  polls: 2,
  details: { payment_status: 'SUCCESSFUL_PAYMENT', timeout: null },
  transitions: [...WAITING.transitions, { status: 'WAITING_FOR_CHANNEL_OPEN', at: '2026-06-10T18:00:05.000Z', source: 'poll' }],
};

const SUCCEEDED: Progress = {
  ...PAID,
  status: 'VALID_CHANNEL_OPENING',
  phase: 'succeeded',
  outcome: 'succeeded',
  polls: 3,
  nextPollAt: null,
  transitions: [...PAID.transitions, { status: 'VALID_CHANNEL_OPENING', at: '2026-06-10T18:00:13.000Z', source: 'poll' }],
  fulfilment: { recorded: true, callback: 'none' },
};

function resultOf(outcome: Outcome): TrackOrderResult {
  return { outcome, recorded: true, status: null, phase: null, polls: 3, pushes: 0, details: {}, startedAt: '', finishedAt: '', attention: null };
}

/**
 * A scripted order: each query answers the next snapshot (or throws it); the workflow closes once
 * the script is used up.
 */
function scripted(answers: (Progress | Error)[], ending: TrackOrderResult | Error) {
  let index = 0;
  let close: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (close = resolve));
  return {
    queries: () => index,
    source: {
      async progress() {
        const answer = answers[Math.min(index, answers.length - 1)] as Progress | Error;
        index += 1;
        if (index >= answers.length) close();
        if (answer instanceof Error) throw answer;
        return answer;
      },
      async result() {
        await closed;
        if (ending instanceof Error) throw ending;
        return ending;
      },
    },
  };
}

async function follow(mode: FollowMode, answers: (Progress | Error)[], ending: TrackOrderResult | Error = resultOf('succeeded')) {
  const written: string[] = [];
  const order = scripted(answers, ending);
  let clock = NOW;
  const outcome = followOrder(order.source, {
    mode,
    write: (text) => written.push(text),
    columns: () => 80,
    intervalMs: 1,
    now: () => (clock += 1_000),
  });
  return { outcome: await outcome.catch((error: unknown) => error), written, queries: order.queries() };
}

describe('followOrder', () => {
  it('appends only what changed when stdout is not a terminal, and returns the outcome', async () => {
    const { outcome, written } = await follow('append', [WAITING, WAITING, PAID, PAID, SUCCEEDED, SUCCEEDED]);
    expect(outcome).toBe('succeeded');
    const lines = written.join('').trimEnd().split('\n');
    expect(lines[0]).toMatch(/^following magma:order-1: started 2026-06-10T17:59:50\.000Z \(\d+s ago\), max wait 2026-06-10T19:59:50\.000Z \(in 1h 59m\)$/);
    expect(lines.filter((line) => line.includes('  (poll)'))).toEqual([
      '2026-06-10T17:59:51.000Z  WAITING_FOR_BUYER_PAYMENT  (poll)',
      '2026-06-10T18:00:05.000Z  WAITING_FOR_CHANNEL_OPEN  (poll)',
      '2026-06-10T18:00:13.000Z  VALID_CHANNEL_OPENING  (poll)',
    ]);
    expect(lines.filter((line) => / polls \d/.test(line))).toHaveLength(2);
    expect(lines.find((line) => line.includes('polls 1'))).toContain('expires 2026-06-10T18:10:00.000Z (in ');
    expect(lines.filter((line) => line.includes('details '))).toHaveLength(2);
    expect(lines.filter((line) => line.includes('outcome succeeded: VALID_CHANNEL_OPENING after 3 polls'))).toHaveLength(1);
    expect(lines.filter((line) => line.includes('fulfilment recorded=true'))).toHaveLength(1);
  });

  it('redraws the whole view in place on a terminal, every look', async () => {
    const { outcome, written } = await follow('redraw', [WAITING, PAID, SUCCEEDED]);
    expect(outcome).toBe('succeeded');
    // A last look once the workflow has closed shows the final view.
    expect(written).toHaveLength(4);
    expect(written[0]).not.toContain('\x1b[');
    expect(written[0]).toContain('status     WAITING_FOR_BUYER_PAYMENT [in_flight]');
    expect(written[0]).toContain('expires    2026-06-10T18:10:00.000Z (in ');
    expect(written[0]).toContain('following (Ctrl-C stops following');
    // Cursor up over the previous view's rows, then clear below.
    expect(written[1]?.startsWith(`\x1b[${rowsOf((written[0] as string).trimEnd(), 80)}A\r\x1b[J`)).toBe(true);
    expect(written[3]).toContain('outcome    succeeded');
    expect(written[3]).not.toContain('following (');
  });

  it('prints one JSON line per change', async () => {
    const { written } = await follow('json', [WAITING, WAITING, PAID, SUCCEEDED, SUCCEEDED]);
    expect(written.map((line) => (JSON.parse(line) as Progress).status)).toEqual([
      'WAITING_FOR_BUYER_PAYMENT',
      'WAITING_FOR_CHANNEL_OPEN',
      'VALID_CHANNEL_OPENING',
    ]);
  });

  it.each([
    ['failed', 'failed'],
    ['timed_out', 'timed_out'],
    ['tracking_cancelled', 'tracking_cancelled'],
  ] as [Outcome, Outcome][])('ends with the workflow result %s, even where the query said otherwise', async (outcome, expected) => {
    expect((await follow('append', [WAITING, SUCCEEDED], resultOf(outcome))).outcome).toBe(expected);
  });

  it('rethrows when the order is not tracked at all', async () => {
    const missing = new OrderNotFoundError('no order is tracked as order:magma:order-1');
    const { outcome, written } = await follow('append', [missing, missing], missing);
    expect(outcome).toBe(missing);
    expect(written).toEqual([]);
  });

  it('shows a failed query once and keeps asking', async () => {
    const { outcome, written } = await follow('append', [WAITING, new Error('query timed out'), new Error('query timed out'), SUCCEEDED]);
    expect(outcome).toBe('succeeded');
    expect(written.filter((text) => text.includes('progress unavailable (query timed out)'))).toHaveLength(1);
  });

  it('rethrows the error of a workflow that closed without an outcome (terminated by hand)', async () => {
    const terminated = new Error('Workflow execution terminated');
    const { outcome } = await follow('redraw', [WAITING, WAITING], terminated);
    expect(outcome).toBe(terminated);
  });
});

describe('rowsOf', () => {
  it.each([
    ['one short line', 'abc', 80, 1],
    ['empty lines count', 'a\n\nb', 80, 3],
    ['a line exactly as wide as the terminal', 'x'.repeat(80), 80, 1],
    ['a wrapped line', 'x'.repeat(81), 80, 2],
    ['unknown width', 'x'.repeat(500), undefined, 1],
  ] as [string, string, number | undefined, number][])('%s', (_name, text, columns, rows) => {
    expect(rowsOf(text, columns)).toBe(rows);
  });
});
