import { nextMagmaWait } from '../../providers/magma/magma-status';

const NOW = Date.parse('2026-06-10T18:00:00.000Z');
const at = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();

describe('nextMagmaWait', () => {
  const cases: [name: string, status: string, timeout: string | null | undefined, expected: number][] = [
    ['fast phase without timeout', 'WAITING_FOR_SELLER_APPROVAL', null, 7_500],
    ['fast phase, timeout undefined', 'WAITING_FOR_BUYER_PAYMENT', undefined, 7_500],
    ['slow phase without timeout', 'WAITING_FOR_ON_CHAIN_CONFIRMATION', null, 45_000],
    ['unknown status without timeout', 'SOMETHING_NEW', null, 10_000],
    ['slow phase, expiry before the cadence: a second after expiry', 'SELLER_SENT_TRANSACTION', at(20_000), 21_000],
    ['fast phase, expiry in 2 s: a second after expiry', 'WAITING_FOR_CHANNEL_OPEN', at(2_000), 3_000],
    ['unknown status, expiry in 4 s', 'SOMETHING_NEW', at(4_000), 5_000],
    ['slow phase, expiry after the cadence: the cadence', 'ON_CHAIN_CONFIRMATION', at(10 * 60_000), 45_000],
    ['fast phase, expiry exactly at the cadence: the cadence', 'WAITING_FOR_BUYER_PAYMENT', at(7_500), 7_500],
    ['expiry now (not in the future): the cadence', 'SELLER_OPENED_CHANNEL', at(0), 45_000],
    ['expiry in the past: the cadence', 'SELLER_SENT_TRANSACTION', at(-60_000), 45_000],
    ['invalid timeout text: the cadence', 'SELLER_SENT_TRANSACTION', 'not a date', 45_000],
    ['empty timeout: the cadence', 'WAITING_FOR_SELLER_APPROVAL', '', 7_500],
    ['timeout with an offset, 30 s away', 'WAITING_FOR_ON_CHAIN_CONFIRMATION', '2026-06-10T20:00:30+02:00', 31_000],
  ];

  it.each(cases)('%s', (_name, status, timeout, expected) => {
    expect(nextMagmaWait(status, timeout, NOW)).toBe(expected);
  });

  it('never exceeds the cadence, whatever the timeout', () => {
    for (const offset of [1, 999, 5_000, 44_000, 44_999, 45_000, 3_600_000]) {
      expect(nextMagmaWait('WAITING_FOR_ON_CHAIN_CONFIRMATION', at(offset), NOW)).toBeLessThanOrEqual(45_000);
    }
  });
});
