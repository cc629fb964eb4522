import type { ListedOrder } from '../../client/order-tracker';
import { formatList, formatProgress, formatProgressChanges, formatResult, printable } from '../../cli/format';
import type { Progress } from '../../domain/types';

const NOW = Date.parse('2026-06-10T18:00:00.000Z');

const IN_FLIGHT: Progress = {
  provider: 'magma',
  orderId: 'order-1',
  reference: null,
  status: 'WAITING_FOR_ON_CHAIN_CONFIRMATION',
  phase: 'in_flight',
  recognised: true,
  outcome: null,
  polls: 4,
  pushes: 1,
  startedAt: '2026-06-10T17:55:00.000Z',
  lastPolledAt: '2026-06-10T17:59:30.000Z',
  nextPollAt: '2026-06-10T18:00:15.000Z',
  deadline: '2026-06-10T19:55:00.000Z',
  details: { confirmations: 2, channel_id: null, payment_status: 'SUCCESSFUL_PAYMENT' },
  transitions: [
    { status: 'WAITING_FOR_SELLER_APPROVAL', at: '2026-06-10T17:55:00.000Z', source: 'poll' },
    { status: 'WAITING_FOR_ON_CHAIN_CONFIRMATION', at: '2026-06-10T17:58:00.000Z', source: 'push' },
  ],
  transitionsDropped: 0,
  attention: null,
  fulfilment: { recorded: false, callback: 'none' },
};

const NOT_POLLED: Progress = {
  ...IN_FLIGHT,
  status: null,
  phase: null,
  polls: 0,
  pushes: 0,
  lastPolledAt: null,
  details: {},
  transitions: [],
};

const ENDED: Progress = {
  ...IN_FLIGHT,
  reference: 'invoice-42',
  status: 'VALID_CHANNEL_OPENING',
  phase: 'succeeded',
  outcome: 'succeeded',
  nextPollAt: null,
  transitionsDropped: 3,
  fulfilment: { recorded: true, callback: 'delivered' },
};

describe('formatProgress', () => {
  it('shows an order in flight, line by line', () => {
    expect(formatProgress(IN_FLIGHT, NOW).split('\n')).toEqual([
      'order      magma:order-1',
      'status     WAITING_FOR_ON_CHAIN_CONFIRMATION [in_flight]',
      'outcome    in progress',
      'polls      4 (pushes 1)',
      'started    2026-06-10T17:55:00.000Z (5m 00s ago)',
      'last poll  2026-06-10T17:59:30.000Z (30s ago)',
      'next poll  2026-06-10T18:00:15.000Z (in 15s)',
      'max wait   2026-06-10T19:55:00.000Z (in 1h 55m)',
      'details    confirmations=2 payment_status=SUCCESSFUL_PAYMENT',
      'transitions',
      '  2026-06-10T17:55:00.000Z  WAITING_FOR_SELLER_APPROVAL  (poll)',
      '  2026-06-10T17:58:00.000Z  WAITING_FOR_ON_CHAIN_CONFIRMATION  (push)',
    ]);
  });

  it.each([
    ['not polled yet', NOT_POLLED, ['status     not polled yet', 'last poll  —'], ['details', 'transitions', '[']],
    [
      'an ended order',
      ENDED,
      ['order      magma:order-1 (ref invoice-42)', 'outcome    succeeded', 'fulfilment recorded=true callback=delivered', '  (3 earlier transitions not kept)'],
      ['next poll', 'max wait'],
    ],
    ['attention', { ...IN_FLIGHT, attention: 'credentials refused' }, ['attention  credentials refused'], []],
    ['an unrecognised status', { ...IN_FLIGHT, status: 'NEW', recognised: false }, ['status     NEW [in_flight] (unrecognised)'], []],
    ['all details null', { ...IN_FLIGHT, details: { channel_id: null } }, [], ['details']],
    ['an overdue poll', { ...IN_FLIGHT, nextPollAt: '2026-06-10T17:59:58.000Z' }, ['next poll  2026-06-10T17:59:58.000Z (2s ago)'], []],
    ['Magma\'s phase timeout', { ...IN_FLIGHT, details: { timeout: '2026-06-10T18:10:00.000Z' } }, ['expires    2026-06-10T18:10:00.000Z (in 10m 00s)'], []],
    ['a derived expiresAt', { ...IN_FLIGHT, details: { expiresAt: '2026-06-10T17:00:00.000Z' } }, ['expires    2026-06-10T17:00:00.000Z (1h 00m ago)'], []],
    ['an expiry that is not a time', { ...IN_FLIGHT, details: { timeout: 'soon' } }, [], ['expires']],
    ['no expiry once ended', { ...ENDED, details: { timeout: '2026-06-10T18:10:00.000Z' } }, [], ['expires']],
  ] as [string, Progress, string[], string[]][])('%s', (_name, progress, present, absent) => {
    const lines = formatProgress(progress, NOW).split('\n');
    for (const line of present) expect(lines).toContain(line);
    for (const start of absent) expect(lines.filter((line) => line.startsWith(start))).toEqual([]);
  });
});

describe('formatList', () => {
  const order = (changes: Partial<ListedOrder>): ListedOrder => ({
    workflowId: 'order:magma:a',
    provider: 'magma',
    orderId: 'a',
    status: 'WAITING_FOR_BUYER_PAYMENT',
    outcome: null,
    executionStatus: 'RUNNING',
    runId: 'run-1',
    startTime: '2026-06-10T17:00:00.000Z',
    closeTime: null,
    ...changes,
  });

  it.each([
    ['no orders', [], 'no orders'],
    ['a running order shows its execution status', [order({})], 'order:magma:a  WAITING_FOR_BUYER_PAYMENT  running  2026-06-10T17:00:00.000Z'],
    [
      'an ended order shows its outcome',
      [order({ status: 'ADMIN_CLOSED', outcome: 'failed', executionStatus: 'COMPLETED' })],
      'order:magma:a  ADMIN_CLOSED  failed  2026-06-10T17:00:00.000Z',
    ],
    ['no status yet', [order({ status: null })], 'order:magma:a  —  running  2026-06-10T17:00:00.000Z'],
    [
      'one line per order',
      [order({}), order({ workflowId: 'order:houdini:b', status: null, executionStatus: 'TERMINATED' })],
      'order:magma:a  WAITING_FOR_BUYER_PAYMENT  running  2026-06-10T17:00:00.000Z\norder:houdini:b  —  terminated  2026-06-10T17:00:00.000Z',
    ],
  ] as [string, ListedOrder[], string][])('%s', (_name, orders, expected) => {
    expect(formatList(orders)).toBe(expected);
  });
});

describe('provider text on a terminal', () => {
  const ESCAPES = '\u001b[2J\u001b]0;pwned\u0007\r\u202Eevil';

  it('replaces control characters and bidirectional overrides, keeping our own line breaks', () => {
    expect(printable(`a${ESCAPES}\nb`)).toBe('a\uFFFD[2J\uFFFD]0;pwned\uFFFD\uFFFD\uFFFDevil\nb');
  });

  it('reaches no terminal through any formatter', () => {
    const hostile: Progress = { ...IN_FLIGHT, status: `PENDING${ESCAPES}`, attention: `unrecognised status ${ESCAPES}`, details: { note: ESCAPES } };
    const outputs = [
      formatProgress(hostile, NOW),
      ...formatProgressChanges(undefined, hostile, NOW),
      formatResult('order:magma:order-1', { outcome: 'timed_out', recorded: true, status: hostile.status, phase: 'in_flight', polls: 1, pushes: 0, details: {}, startedAt: '', finishedAt: '', attention: null }),
    ];
    for (const output of outputs) expect(output).not.toMatch(/[\u001b\u0007\r\u202E]/);
  });
});
