/** The MiracleCash simulator over real HTTP, asked the way seed 001's curl example asks. */
import { startMiracleCashSandbox } from '../../sandbox/miraclecash';
import type { MiracleCashSandbox } from '../../sandbox/miraclecash';

const CLIENT_ID = 'client-123';
const API_KEY = 'mc-test-key';
// `echo -n 'client-123:mc-test-key' | base64`, as the seed builds it.
const SEED_AUTHORIZATION = 'Basic Y2xpZW50LTEyMzptYy10ZXN0LWtleQ==';
// 1000×: a 100-simulated-second step lasts 100 real milliseconds.
const TIME_SCALE = 1000;

let sandbox: MiracleCashSandbox;

beforeAll(async () => {
  sandbox = await startMiracleCashSandbox({ clientId: CLIENT_ID, apiKey: API_KEY, timeScale: TIME_SCALE });
});
afterAll(() => sandbox.close());
afterEach(() => sandbox.clearFaults());

/** `null` sends no Authorization header. */
async function getPayment(id: string, authorization: string | null = SEED_AUTHORIZATION) {
  const response = await fetch(`${sandbox.url}/external/payments/prompt/${id}`, {
    headers: authorization === null ? {} : { Authorization: authorization },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

describe('payments', () => {
  it('answers the seed’s shape: { id, blockchainId, status, createdAt }', async () => {
    const before = Date.now();
    sandbox.addOrder({ id: '550e8400-e29b-41d4-a716-446655440000', steps: [{ status: 'pending' }] });
    const { status, body } = await getPayment('550e8400-e29b-41d4-a716-446655440000');
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(['id', 'blockchainId', 'status', 'createdAt']);
    expect(body).toMatchObject({ id: '550e8400-e29b-41d4-a716-446655440000', blockchainId: 'eth', status: 'pending' });
    expect(body.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(String(body.createdAt))).toBeGreaterThanOrEqual(before);
  });

  it('advances by request count, and lets a script set fields such as an old createdAt', async () => {
    sandbox.addOrder({
      id: 'by-count',
      steps: [
        { status: 'pending', requests: 2, fields: { createdAt: '2025-01-28T14:30:00.000Z', blockchainId: null } },
        { status: 'successful', fields: { blockchainId: 'tron' } },
      ],
    });
    const seen = [];
    for (let poll = 0; poll < 3; poll += 1) seen.push((await getPayment('by-count')).body);
    expect(seen.map((body) => body.status)).toEqual(['pending', 'pending', 'successful']);
    expect(seen[0]).toMatchObject({ blockchainId: null, createdAt: '2025-01-28T14:30:00.000Z' });
    expect(seen[2]).toMatchObject({ blockchainId: 'tron', createdAt: '2025-01-28T14:30:00.000Z' });
  });

  it('keeps the script’s id and step status whatever `fields` says', async () => {
    sandbox.addOrder({ id: 'stubborn', steps: [{ status: 'pending', fields: { id: 'other', status: 'successful', note: 'x' } }] });
    expect((await getPayment('stubborn')).body).toMatchObject({ id: 'stubborn', status: 'pending', note: 'x' });
  });

  it('advances by scaled time, whether or not anyone asks', async () => {
    sandbox.addOrder({ id: 'by-time', steps: [{ status: 'pending', durationMs: 300_000 }, { status: 'expired' }] });
    expect((await getPayment('by-time')).body.status).toBe('pending');
    await sleep(400);
    expect((await getPayment('by-time')).body.status).toBe('expired');
  });

  it('answers an unknown payment with a NestJS-style 404', async () => {
    expect(await getPayment('no-such-payment')).toEqual({
      status: 404,
      body: { statusCode: 404, message: 'Payment prompt not found', error: 'Not Found' },
    });
  });

  it('answers an unknown route with 404, before checking credentials', async () => {
    const response = await fetch(`${sandbox.url}/external/payments/prompts`, { method: 'POST' });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ statusCode: 404, message: 'Cannot POST /external/payments/prompts' });
    expect((await fetch(`${sandbox.url}/external/payments/prompt/x/y`, { headers: { Authorization: SEED_AUTHORIZATION } })).status).toBe(404);
  });
});

describe('credentials', () => {
  beforeAll(() => sandbox.addOrder({ id: 'auth', steps: [{ status: 'pending' }] }));
  const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;

  it.each([
    ['no Authorization header', null],
    ['a wrong API key', basic(`${CLIENT_ID}:wrong`)],
    ['a wrong client id', basic(`someone:${API_KEY}`)],
    ['the key alone', basic(API_KEY)],
    ['the pair unencoded', `Basic ${CLIENT_ID}:${API_KEY}`],
    ['a Bearer token', `Bearer ${API_KEY}`],
    ['a lower-case scheme', SEED_AUTHORIZATION.replace('Basic', 'basic')],
  ])('answers 401 to %s', async (_name, authorization) => {
    expect(await getPayment('auth', authorization)).toEqual({ status: 401, body: { statusCode: 401, message: 'Unauthorized' } });
  });

  it('answers 401 for an unknown payment too: credentials are checked first', async () => {
    expect((await getPayment('unknown', basic('x:y'))).status).toBe(401);
  });
});

describe('request log and faults', () => {
  it('records each request with its time, payment and HTTP status; refused requests do not advance the script', async () => {
    sandbox.addOrder({ id: 'logged', steps: [{ status: 'pending', requests: 1 }, { status: 'cancelled' }] });
    sandbox.setFault({ kind: 'rate_limit', retryAfterSeconds: 9, count: 1 }, 'logged');
    const limited = await fetch(`${sandbox.url}/external/payments/prompt/logged`, { headers: { Authorization: SEED_AUTHORIZATION } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('9');
    expect(await limited.json()).toEqual({ statusCode: 429, message: 'Too many requests', error: 'Too Many Requests' });
    expect((await getPayment('logged', 'Basic nope')).status).toBe(401);
    expect((await getPayment('logged')).body.status).toBe('pending');
    expect((await getPayment('logged')).body.status).toBe('cancelled');
    expect(sandbox.requests('logged').map((entry) => [entry.operation, entry.httpStatus, entry.fault])).toEqual([
      ['get_payment_prompt', 429, 'rate_limit'],
      ['get_payment_prompt', 401, undefined],
      ['get_payment_prompt', 200, undefined],
      ['get_payment_prompt', 200, undefined],
    ]);
  });

  it('schema_drift: 200 JSON without a status and with wrong types', async () => {
    sandbox.addOrder({ id: 'drift', steps: [{ status: 'pending' }] });
    sandbox.setFault({ kind: 'schema_drift', count: 1 });
    const { status, body } = await getPayment('drift');
    expect(status).toBe(200);
    expect(body).not.toHaveProperty('status');
    expect(body).toMatchObject({ id: 'drift', blockchainId: 1 });
  });
});

describe('control API', () => {
  const control = (path: string, init?: { method: string; body?: unknown }) =>
    fetch(`${sandbox.controlUrl}${path}`, {
      method: init?.method ?? 'GET',
      ...(init?.body !== undefined && { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(init.body) }),
    });

  it('adds payments, sets and clears faults, and reads the log', async () => {
    const added = await control('orders', { method: 'POST', body: { id: 'remote', steps: [{ status: 'pending', requests: 1 }, { status: 'unsuccessful' }] } });
    expect(added.status).toBe(201);
    expect((await control('faults', { method: 'POST', body: { fault: { kind: 'server_error', count: 1 }, orderId: 'remote' } })).status).toBe(204);
    expect((await getPayment('remote')).status).toBe(500);
    expect((await getPayment('remote')).body.status).toBe('pending');
    expect((await getPayment('remote')).body.status).toBe('unsuccessful');
    const { requests } = (await (await control('requests?orderId=remote')).json()) as { requests: { httpStatus: number }[] };
    expect(requests.map((entry) => entry.httpStatus)).toEqual([500, 200, 200]);
    expect((await control('push-faults', { method: 'POST', body: { fault: { kind: 'duplicate_push' } } })).status).toBe(404);
  });

  it('rejects a script whose middle step never ends', async () => {
    expect((await control('orders', { method: 'POST', body: { id: 'bad', steps: [{ status: 'pending' }, { status: 'expired' }] } })).status).toBe(400);
  });
});
