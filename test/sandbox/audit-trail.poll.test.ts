/**
 * The audit trail from a real poll: the pollOrder activity (Temporal's mock activity context) asks
 * the OZZOBiT simulator over HTTP and hands each answer to the writer over a real SQLite ledger.
 * Each answer that changed the order is kept whole as the simulator sent it, with the configured
 * secret and the credential fields redacted; unchanged polls cost the database nothing.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import { createAuditTrail } from '../../activities/audit/audit-trail';
import { REDACTED } from '../../activities/audit/redact-answer';
import type { Observation } from '../../domain/types';
import type { Ledger } from '../../storage/ledger/ledger';
import { createOzzobitAdapter } from '../../providers/ozzobit/ozzobit-client';
import { startOzzobitSandbox, type OzzobitSandbox } from '../../sandbox/ozzobit';
import { temporaryLedger, uniqueId } from '../helpers/worker-stack';

const SECRET_KEY = 'audit-secret-key-4711';

let sandbox: OzzobitSandbox;
let ledger: Ledger;

beforeAll(async () => {
  sandbox = await startOzzobitSandbox({ secretKey: SECRET_KEY, apiKey: 'audit-socket-key' });
  ledger = (await temporaryLedger()).ledger;
});

afterAll(async () => {
  await sandbox?.close();
  await ledger?.close();
});

test('every answer that changed the order is kept whole and redacted; unchanged ones cost no read', async () => {
  const orderId = uniqueId('audit-poll');
  sandbox.addOrder({
    id: orderId,
    steps: [
      // A provider echoing a credential back: a field named like one, and the secret inside a text.
      { status: 'PROCESSING', requests: 3, fields: { partnerApiKey: 'pk_live_998877', note: `authorised by ${SECRET_KEY}` } },
      { status: 'PENDING_DELIVERY', requests: 1, fields: { transactionHash: '0xfeed' } },
      { status: 'COMPLETED' },
    ],
  });
  let reads = 0;
  const counted: Ledger = { ...ledger, lastAnswerDigest: (provider, id) => ((reads += 1), ledger.lastAnswerDigest(provider, id)) };
  const audit = createAuditTrail(counted, { retentionMs: 86_400_000, secrets: [SECRET_KEY] });
  const providers = { ozzobit: createOzzobitAdapter({ url: sandbox.url, secretKey: SECRET_KEY, requestTimeoutMs: 5_000 }) };
  const activities = createActivities({ providers, ledger, audit });
  const environment = new MockActivityEnvironment({ activityType: 'pollOrder' });
  const statuses: string[] = [];
  for (let poll = 0; poll < 5; poll += 1) {
    const observation: Observation = await environment.run(activities.pollOrder, { provider: 'ozzobit' as const, orderId, minRequestGapMs: 5_000 });
    statuses.push(observation.status);
  }
  expect(statuses).toEqual(['PROCESSING', 'PROCESSING', 'PROCESSING', 'PENDING_DELIVERY', 'COMPLETED']);
  // One read, when the writer first met the order; the two unchanged polls were judged in memory.
  expect(reads).toBe(1);

  const kept = await ledger.answers('ozzobit', orderId);
  expect(kept.map((entry) => [entry.source, entry.status])).toEqual([
    ['poll', 'PROCESSING'],
    ['poll', 'PENDING_DELIVERY'],
    ['poll', 'COMPLETED'],
  ]);
  const served = sandbox.requests(orderId);
  expect(served).toHaveLength(5);
  // Whole: every field the simulator sent, the credential field and the echoed secret redacted.
  expect(kept[0]?.answer).toMatchObject({ id: orderId, status: 'PROCESSING', cryptoCurrency: 'USDT', partnerApiKey: REDACTED, note: `authorised by ${REDACTED}` });
  expect(Object.keys(kept[0]?.answer as object)).toEqual(expect.arrayContaining(['walletAddress', 'createdAt', 'updatedAt', 'fiatAmount']));
  expect(JSON.stringify(kept)).not.toContain(SECRET_KEY);
  expect(JSON.stringify(kept)).not.toContain('pk_live_998877');
  expect(kept[1]?.answer).toMatchObject({ status: 'PENDING_DELIVERY', transactionHash: '0xfeed' });
});
