/** The codec server the Web UI decodes payloads through, over HTTP. */
import { defaultPayloadConverter } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { EncryptionCodec } from '../../common/encryption-codec';
import { startCodecServer } from '../../workers/codec-server';

const key = randomBytes(32);

test('the codec server decodes what the codec encoded, over HTTP with CORS for the UI', async () => {
  const codec = new EncryptionCodec(key);
  const server = await startCodecServer(codec, 0, 'http://127.0.0.1:8233');
  try {
    const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload({ status: 'VALID_CHANNEL_OPENING' })]);
    const json = {
      payloads: [{
        metadata: Object.fromEntries(Object.entries(encrypted?.metadata ?? {}).map(([name, value]) => [name, Buffer.from(value).toString('base64')])),
        data: Buffer.from(encrypted?.data ?? []).toString('base64'),
      }],
    };
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(json),
    });
    expect(response.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8233');
    const body = (await response.json()) as { payloads: { data: string }[] };
    expect(JSON.parse(Buffer.from(body.payloads[0]?.data ?? '', 'base64').toString('utf8'))).toEqual({ status: 'VALID_CHANNEL_OPENING' });
    const bad = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/decode`, { method: 'POST', body: 'nope' });
    expect(bad.status).toBe(400);
  } finally {
    server.close();
  }
});
