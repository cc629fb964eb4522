/**
 * MiracleCash polling cadence: 5 s while the seed would still be polling, then backing off with the
 * payment's age, a poll right after the 24 h expiry, and what an abandoned prompt costs in total.
 */
import {
  MIRACLECASH_MAX_POLL_MS,
  MIRACLECASH_PAYMENT_WINDOW_MS,
  miracleCashExpiry,
  nextMiracleCashWait,
  waitForAge,
} from '../../providers/miraclecash/miraclecash-cadence';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const FLOOR = 5 * SECOND;
const CREATED = Date.parse('2025-01-28T14:30:00.000Z');
const CREATED_AT = '2025-01-28T14:30:00.000Z';
const EXPIRY = CREATED + 24 * HOUR;

/** A merchant's MIRACLECASH_MAX_POLL=10m: the back-off the tables below describe. */
const TEN_MINUTES = 10 * MINUTE;

describe('the default cap is the seed’s 5 s poll interval', () => {
  it('is 5 s', () => {
    expect(MIRACLECASH_MAX_POLL_MS).toBe(5 * SECOND);
  });

  it.each([
    [0, 5 * SECOND],
    [5 * MINUTE, 5 * SECOND],
    [HOUR, 5 * SECOND],
    [24 * HOUR - 3 * SECOND, 4 * SECOND], // 1 s after the expiry
    [24 * HOUR + 3 * MINUTE, 5 * SECOND],
  ])('age %d ms → %d ms', (age, wait) => {
    expect(nextMiracleCashWait('pending', CREATED_AT, CREATED + age)).toBe(wait);
  });

  it('costs 17,281 requests for a prompt nobody pays, every 5 s to the expiry', () => {
    const times = pollTimesOfAbandonedPrompt(MIRACLECASH_MAX_POLL_MS);
    expect(times).toHaveLength(17_281);
    const gaps = times.slice(1).map((time, index) => time - times[index]!);
    expect(new Set(gaps)).toEqual(new Set([FLOOR]));
    expect(times.at(-1)).toBe(EXPIRY);
  });
});

describe('MIRACLECASH_MAX_POLL=30s, the seed’s background re-queue', () => {
  it.each([
    [0, 5 * SECOND],
    [5 * MINUTE, 10 * SECOND],
    [15 * MINUTE, 30 * SECOND],
    [HOUR, 30 * SECOND],
    [12 * HOUR, 30 * SECOND],
    [24 * HOUR - 10 * SECOND, 11 * SECOND],
    [24 * HOUR + 3 * MINUTE, 30 * SECOND],
  ])('age %d ms → %d ms', (age, wait) => {
    expect(nextMiracleCashWait('pending', CREATED_AT, CREATED + age, 30 * SECOND)).toBe(wait);
  });

  it('costs 2,945 requests for a prompt nobody pays, every gap 5-30 s', () => {
    const times = pollTimesOfAbandonedPrompt(30 * SECOND);
    expect(times).toHaveLength(2_945);
    const gaps = times.slice(1).map((time, index) => time - times[index]!);
    expect(Math.max(...gaps)).toBe(30 * SECOND);
    expect(times.at(-1)).toBe(EXPIRY + SECOND);
  });
});

describe('nextMiracleCashWait for a pending prompt, by age (MIRACLECASH_MAX_POLL=10m)', () => {
  it.each([
    // age,                     wait
    [0, 5 * SECOND],
    [30 * SECOND, 5 * SECOND],
    [4 * MINUTE + 59 * SECOND, 5 * SECOND], // the seed's own 5-minute loop
    [5 * MINUTE, 10 * SECOND], // age / 30 from here
    [15 * MINUTE, 30 * SECOND],
    [HOUR, 2 * MINUTE],
    [3 * HOUR, 6 * MINUTE],
    [5 * HOUR, 10 * MINUTE], // the cap
    [12 * HOUR, 10 * MINUTE],
    [24 * HOUR - 10 * MINUTE, 10 * MINUTE],
    [24 * HOUR - 3 * MINUTE, 3 * MINUTE + SECOND], // not past the expiry: 1 s after it
    [24 * HOUR - 2 * SECOND, 3 * SECOND], // under the floor; the workflow raises it to 5 s
    // Still pending after the expiry (the provider is late): doubling from 5 s, up to 10 min.
    [24 * HOUR, 5 * SECOND],
    [24 * HOUR + SECOND, 5 * SECOND],
    [24 * HOUR + 6 * SECOND, 6 * SECOND],
    [24 * HOUR + 48 * SECOND, 48 * SECOND],
    [24 * HOUR + 3 * MINUTE, 3 * MINUTE],
    [25 * HOUR, 10 * MINUTE],
  ])('age %d ms → %d ms', (age, wait) => {
    expect(nextMiracleCashWait('pending', CREATED_AT, CREATED + age, TEN_MINUTES)).toBe(wait);
  });

  it('treats a createdAt in the future (clock skew) as a new prompt', () => {
    expect(nextMiracleCashWait('pending', CREATED_AT, CREATED - MINUTE)).toBe(FLOOR);
  });

  it.each([[null], [undefined], ['yesterday'], ['']])('uses the seed’s 30 s background re-check when createdAt is %p, at most the cap', (createdAt) => {
    expect(nextMiracleCashWait('pending', createdAt, CREATED, TEN_MINUTES)).toBe(30 * SECOND);
    expect(nextMiracleCashWait('pending', createdAt, CREATED)).toBe(FLOOR);
  });

  it('places an unknown status by age too', () => {
    expect(nextMiracleCashWait('on_hold', CREATED_AT, CREATED + HOUR, TEN_MINUTES)).toBe(2 * MINUTE);
  });

  it.each(['successful', 'unsuccessful', 'expired', 'cancelled'])('suggests the floor for the final status %s', (status) => {
    expect(nextMiracleCashWait(status, CREATED_AT, CREATED + 12 * HOUR)).toBe(FLOOR);
  });

  it('never suggests more than 10 minutes, and (before expiry) never less than 5 s but to land on the expiry', () => {
    for (let age = 0; age < 26 * HOUR; age += 7 * SECOND + 13) {
      const wait = nextMiracleCashWait('pending', CREATED_AT, CREATED + age, TEN_MINUTES);
      expect(wait).toBeLessThanOrEqual(10 * MINUTE);
      if (wait < FLOOR) expect(CREATED + age + wait).toBe(EXPIRY + SECOND);
    }
  });

  it('grows without steps back: the wait never shrinks as the prompt ages (until the expiry)', () => {
    let previous = 0;
    for (let age = 0; age < 24 * HOUR - 11 * MINUTE; age += 11 * SECOND) {
      const wait = waitForAge(age, TEN_MINUTES);
      expect(wait).toBeGreaterThanOrEqual(previous);
      previous = wait;
    }
  });
});

/** Plays the workflow's loop (poll, wait max(suggested, 5 s floor)) over a prompt nobody pays. */
function pollTimesOfAbandonedPrompt(maxPollMs: number): number[] {
  const times: number[] = [];
  for (let now = CREATED; ; ) {
    times.push(now);
    if (now >= EXPIRY) return times; // this poll sees `expired`
    now += Math.max(FLOOR, nextMiracleCashWait('pending', CREATED_AT, now, maxPollMs));
  }
}

describe('an abandoned prompt over its 24 h window (MIRACLECASH_MAX_POLL=10m)', () => {
  const times = pollTimesOfAbandonedPrompt(TEN_MINUTES);

  it('costs 300 requests up to the poll that sees `expired`, not the 17,280 of polling every 5 s', () => {
    expect(times).toHaveLength(300);
    expect((24 * HOUR) / FLOOR).toBe(17_280);
  });

  it('spends 60 of them in the first 5 minutes, every 5 s as the seed does', () => {
    const first = times.filter((time) => time - CREATED < 5 * MINUTE);
    expect(first).toHaveLength(60);
    expect(first.every((time, index) => time - CREATED === index * FLOOR)).toBe(true);
  });

  it('polls 1 s after the expiry, so `expired` is seen promptly', () => {
    expect(times.at(-1)).toBe(EXPIRY + SECOND);
    expect(times.at(-2)).toBeLessThan(EXPIRY);
  });

  it('keeps every gap between 5 s and 10 min', () => {
    const gaps = times.slice(1).map((time, index) => time - times[index]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(FLOOR);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(10 * MINUTE);
  });
});

describe('miracleCashExpiry', () => {
  it('is createdAt + 24 h, undefined without a readable createdAt', () => {
    expect(miracleCashExpiry(CREATED_AT)).toBe(CREATED + MIRACLECASH_PAYMENT_WINDOW_MS);
    expect(new Date(miracleCashExpiry(CREATED_AT)!).toISOString()).toBe('2025-01-29T14:30:00.000Z');
    expect(miracleCashExpiry(null)).toBeUndefined();
    expect(miracleCashExpiry('soon')).toBeUndefined();
  });
});
