/**
 * Waits derived from a provider's timestamps under a sandbox time scale: computed in the provider's
 * time, so the workflow's division by the scale gives the right wall wait (and not one that shrank
 * twice, crowding polls towards each expiry).
 */
import { normalizeHoudiniOrder } from '../../activities/providers/houdini/houdini-observation';
import { toMagmaObservation } from '../../activities/providers/magma/magma-client';
import { toMiracleCashObservation } from '../../activities/providers/miraclecash/miraclecash-client';
import { nominalTimestamp } from '../../activities/providers/nominal-time';

const NOW = Date.parse('2026-11-30T12:00:00.000Z');
const iso = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();

test('a timestamp moves to where it lies in provider time; identity at scale 1 and for missing or unreadable values', () => {
  expect(nominalTimestamp(iso(10_000), NOW, 5)).toBe(iso(50_000));
  expect(nominalTimestamp(iso(-60_000), NOW, 5)).toBe(iso(-300_000));
  expect(nominalTimestamp(iso(10_000), NOW, 1)).toBe(iso(10_000));
  expect(nominalTimestamp(null, NOW, 5)).toBeNull();
  expect(nominalTimestamp(undefined, NOW, 5)).toBeUndefined();
  expect(nominalTimestamp('soon', NOW, 5)).toBe('soon');
});

test('Magma: a phase timeout 4 s of wall time away at scale 5 is 20 s of provider time, so the wait is 21 s (4.2 s of wall)', () => {
  const order = { id: 'm', status: 'WAITING_FOR_ON_CHAIN_CONFIRMATION', timeout: iso(4_000) };
  expect(toMagmaObservation(order, NOW, 5).nextWaitMs).toBe(21_000);
  expect(toMagmaObservation(order, NOW).nextWaitMs).toBe(5_000);
  // 10 s of wall at scale 5 is 50 s of provider time: past the 45 s cadence, which wins.
  expect(toMagmaObservation({ ...order, timeout: iso(10_000) }, NOW, 5).nextWaitMs).toBe(45_000);
  // The UI still shows the provider's own timestamp.
  expect(toMagmaObservation(order, NOW, 5).details.timeout).toBe(iso(4_000));
});

test('MiracleCash: a payment created 2 min of wall time ago at scale 5 is 10 min old, past the 5 s window', () => {
  const payment = { id: 'p', status: 'pending', createdAt: iso(-120_000) };
  expect(toMiracleCashObservation(payment as never, NOW, 5).nextWaitMs).toBe(20_000); // 10 min / 30
  expect(toMiracleCashObservation(payment as never, NOW).nextWaitMs).toBe(5_000);
});

test('Houdini: a deposit expiry 2 s of wall time away at scale 5 is 10 s of provider time', () => {
  const order = { houdiniId: 'h', status: 0, expires: iso(2_000) };
  expect(normalizeHoudiniOrder(order, NOW, 5).nextWaitMs).toBe(11_000);
  expect(normalizeHoudiniOrder(order, NOW).nextWaitMs).toBe(3_000);
});
