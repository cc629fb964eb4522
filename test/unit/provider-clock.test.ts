/**
 * The adapters' clock under a sandbox time scale: waits derived from a provider's timestamps are
 * computed in the provider's time, then handed out as wall-clock waits (and not as waits that
 * shrank twice, crowding polls towards each expiry). Nothing downstream divides again.
 */
import { normalizeHoudiniOrder } from '../../providers/houdini/houdini-observation';
import { toMagmaObservation } from '../../providers/magma/magma-client';
import { toMiracleCashObservation } from '../../providers/miraclecash/miraclecash-client';
import { normalizeOzzobitOrder } from '../../providers/ozzobit/ozzobit-normalize';
import { SYSTEM_CLOCK, scaledClock } from '../../providers/provider-clock';

const NOW = Date.parse('2026-11-30T12:00:00.000Z');
const iso = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();
const AT_5 = scaledClock(5);

test('a timestamp moves to where it lies in provider time; identity at scale 1 and for missing or unreadable values', () => {
  expect(AT_5.providerTime(iso(10_000), NOW)).toBe(iso(50_000));
  expect(AT_5.providerTime(iso(-60_000), NOW)).toBe(iso(-300_000));
  expect(SYSTEM_CLOCK.providerTime(iso(10_000), NOW)).toBe(iso(10_000));
  expect(scaledClock(1)).toBe(SYSTEM_CLOCK);
  expect(AT_5.providerTime(null, NOW)).toBeNull();
  expect(AT_5.providerTime(undefined, NOW)).toBeUndefined();
  expect(AT_5.providerTime('soon', NOW)).toBe('soon');
});

test('a provider wait becomes the wall wait of the run', () => {
  expect(AT_5.wallWait(45_000)).toBe(9_000);
  expect(SYSTEM_CLOCK.wallWait(45_000)).toBe(45_000);
});

test('Magma: a phase timeout 4 s of wall time away at scale 5 is 20 s of provider time, so the wait is 21 s (4.2 s of wall)', () => {
  const order = { id: 'm', status: 'WAITING_FOR_ON_CHAIN_CONFIRMATION', timeout: iso(4_000) };
  expect(toMagmaObservation(order, NOW, AT_5).nextWaitMs).toBe(4_200);
  expect(toMagmaObservation(order, NOW).nextWaitMs).toBe(5_000);
  // 10 s of wall at scale 5 is 50 s of provider time: past the 45 s cadence, which wins.
  expect(toMagmaObservation({ ...order, timeout: iso(10_000) }, NOW, AT_5).nextWaitMs).toBe(9_000);
  // The UI still shows the provider's own timestamp.
  expect(toMagmaObservation(order, NOW, AT_5).details.timeout).toBe(iso(4_000));
});

test('MiracleCash: a payment created 2 min of wall time ago at scale 5 is 10 min old, past the 5 s window', () => {
  const payment = { id: 'p', status: 'pending', createdAt: iso(-120_000) };
  expect(toMiracleCashObservation(payment as never, NOW, AT_5, 30_000).nextWaitMs).toBe(4_000); // 10 min / 30 under a 30 s cap, a fifth of it
  expect(toMiracleCashObservation(payment as never, NOW).nextWaitMs).toBe(5_000);
});

test('Houdini: a deposit expiry 2 s of wall time away at scale 5 is 10 s of provider time', () => {
  const order = { houdiniId: 'h', status: 0, expires: iso(2_000) };
  expect(normalizeHoudiniOrder(order, NOW, true, AT_5).nextWaitMs).toBe(2_200);
  expect(normalizeHoudiniOrder(order, NOW, true).nextWaitMs).toBe(3_000);
});

test('OZZOBiT: its flat cadence, as wall time', () => {
  const order = { id: 'o', status: 'PROCESSING' };
  expect(normalizeOzzobitOrder(order as never, NOW, AT_5).nextWaitMs).toBe(normalizeOzzobitOrder(order as never, NOW).nextWaitMs / 5);
});
