import { parseHoudiniServerMessage } from '../../providers/houdini/houdini-messages';

const order = { houdiniId: 'h-1', status: 2, expires: '2030-01-01T00:00:00.000Z', inAmount: '0.05', someNewField: { x: 1 } };

test.each([
  ['{"type":"welcome","partnerId":"p","message":"Connected"}', { type: 'welcome' }],
  ['{"type":"subscribed","all":true}', { type: 'subscribed' }],
  ['{"type":"unsubscribed","houdiniIds":["a"]}', { type: 'unsubscribed' }],
  ['{"type":"pong"}', { type: 'pong' }],
  ['{"type":"error","code":"AUTH_FAILED","message":"Invalid credentials"}', { type: 'error', code: 'AUTH_FAILED', message: 'Invalid credentials' }],
  ['{"type":"error"}', { type: 'error', code: 'UNKNOWN', message: '' }],
  ['{"type":"maintenance_notice","at":"soon"}', { type: 'unknown', name: 'maintenance_notice' }],
])('%s', (text, message) => {
  expect(parseHoudiniServerMessage(text)).toEqual({ ok: true, message });
});

test('an order_update carries the order as the shared schema reads it (extra fields are fine)', () => {
  const parsed = parseHoudiniServerMessage(JSON.stringify({ type: 'order_update', data: order }));
  expect(parsed).toMatchObject({ ok: true, message: { type: 'order_update', order: { houdiniId: 'h-1', status: 2, inAmount: '0.05' } } });
});

test.each([
  ['not json', /not JSON/],
  ['[1,2]', /type/],
  ['"welcome"', /type/],
  ['{"kind":"welcome"}', /type/],
  ['{"type":""}', /type/],
  ['{"type":"order_update"}', /data/],
  ['{"type":"order_update","data":{"houdiniId":"h-1","status":"FINISHED"}}', /data\.status/],
  ['{"type":"order_update","data":{"houdiniId":"","status":4}}', /data\.houdiniId/],
  ['{"type":"order_update","data":{"status":4}}', /data\.houdiniId/],
])('%s is reported, not thrown', (text, reason) => {
  const parsed = parseHoudiniServerMessage(text);
  expect(parsed.ok).toBe(false);
  if (!parsed.ok) expect(parsed.reason).toMatch(reason);
});

test('a huge frame is refused before parsing', () => {
  const parsed = parseHoudiniServerMessage(JSON.stringify({ type: 'pong', padding: 'x'.repeat(300_000) }));
  expect(parsed).toMatchObject({ ok: false, reason: expect.stringMatching(/too long/) });
});
