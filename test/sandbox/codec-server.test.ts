/**
 * The codec server the Web UI decodes payloads through, over HTTP: what the codec encrypted comes
 * back decoded; CORS names the UI's origin (and no other); with a token, a call needs it as a bearer
 * header or as the first path segment (how the UI's codec endpoint carries it), a preflight does not.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EncryptionCodec } from '../../common/encryption-codec';
import { startCodecServer } from '../../workers/codec-server';

const UI = 'http://127.0.0.1:8233';
const TOKEN = 'codec-token-123';
const codec = new EncryptionCodec(randomBytes(32));

async function encryptedBody(value: unknown): Promise<string> {
  const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload(value)]);
  return JSON.stringify({
    payloads: [{
      metadata: Object.fromEntries(Object.entries(encrypted?.metadata ?? {}).map(([name, bytes]) => [name, Buffer.from(bytes).toString('base64')])),
      data: Buffer.from(encrypted?.data ?? []).toString('base64'),
    }],
  });
}

function decoded(body: { payloads: { data: string }[] }): unknown {
  return JSON.parse(Buffer.from(body.payloads[0]?.data ?? '', 'base64').toString('utf8'));
}

const base = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

test('the codec server decodes what the codec encoded, over HTTP with CORS for the UI', async () => {
  const server = await startCodecServer({ codec, port: 0, origins: [UI] });
  try {
    const response = await fetch(`${base(server)}/decode`, { method: 'POST', headers: { 'content-type': 'application/json', origin: UI }, body: await encryptedBody({ status: 'VALID_CHANNEL_OPENING' }) });
    expect(response.headers.get('access-control-allow-origin')).toBe(UI);
    expect(decoded((await response.json()) as { payloads: { data: string }[] })).toEqual({ status: 'VALID_CHANNEL_OPENING' });
    const elsewhere = await fetch(`${base(server)}/decode`, { method: 'POST', headers: { origin: 'https://evil.example' }, body: await encryptedBody(1) });
    expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
    const bad = await fetch(`${base(server)}/decode`, { method: 'POST', body: 'nope' });
    expect(bad.status).toBe(400);
    expect((await fetch(`${base(server)}/other`, { method: 'POST', body: '{}' })).status).toBe(404);
  } finally {
    server.close();
  }
});

test('with a token: bearer header or first path segment; a preflight passes, anything else is 401', async () => {
  const server = await startCodecServer({ codec, port: 0, origins: [UI], token: TOKEN });
  try {
    const body = await encryptedBody({ orderId: 'o-1' });
    const byHeader = await fetch(`${base(server)}/decode`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body });
    expect(decoded((await byHeader.json()) as { payloads: { data: string }[] })).toEqual({ orderId: 'o-1' });
    const byPath = await fetch(`${base(server)}/${TOKEN}/decode`, { method: 'POST', headers: { origin: UI, 'x-namespace': 'default' }, body });
    expect(byPath.status).toBe(200);
    const preflight = await fetch(`${base(server)}/${TOKEN}/decode`, { method: 'OPTIONS', headers: { origin: UI, 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-namespace');
    const refused = await Promise.all([
      fetch(`${base(server)}/decode`, { method: 'POST', body }),
      fetch(`${base(server)}/decode`, { method: 'POST', headers: { authorization: 'Bearer wrong' }, body }),
      fetch(`${base(server)}/wrong-token/decode`, { method: 'POST', body }),
    ]);
    expect(refused.map((response) => response.status)).toEqual([401, 401, 401]);
    expect(await refused[0]?.json()).toEqual({ error: 'missing or wrong codec server token (CODEC_SERVER_TOKEN)' });
  } finally {
    server.close();
  }
});
