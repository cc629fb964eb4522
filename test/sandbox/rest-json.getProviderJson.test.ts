/** The shared REST helper reads at most maxBytes of a provider's answer, declared or streamed. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProviderCallError } from '../../providers/provider-error';
import { MAX_RESPONSE_BYTES, getProviderJson } from '../../providers/rest-json';

let server: Server;
let url: string;
let reply: (response: import('node:http').ServerResponse) => void;

beforeAll(async () => {
  server = createServer((_request, response) => reply(response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/order`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const request = (maxBytes?: number) =>
  getProviderJson({ provider: 'Sandbox', url, headers: {}, timeoutMs: 5_000, what: 'order o-1', credentials: 'the key', ...(maxBytes !== undefined && { maxBytes }) });

async function failure(promise: Promise<unknown>): Promise<ProviderCallError> {
  const error = await promise.then(() => undefined, (reason: unknown) => reason);
  if (!(error instanceof ProviderCallError)) throw new Error(`expected a ProviderCallError, got ${String(error)}`);
  return error;
}

test('a megabyte by default', () => {
  expect(MAX_RESPONSE_BYTES).toBe(1024 * 1024);
});

test('reads an answer within the limit', async () => {
  reply = (response) => response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
  expect(await request(64)).toEqual({ status: 'ok' });
});

test('refuses an answer whose Content-Length is over the limit, naming the limit', async () => {
  reply = (response) => response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: 'x'.repeat(200) }));
  const error = await failure(request(100));
  expect(error).toMatchObject({ kind: 'invalid_response', isRetryable: true });
  expect(error.message).toBe('Sandbox answered order o-1 with more than 100 bytes');
});

test('stops reading a streamed answer (no Content-Length) at the limit', async () => {
  let written = 0;
  reply = (response) => {
    response.writeHead(200, { 'Content-Type': 'application/json' });
    const timer = setInterval(() => {
      written += 1024;
      response.write('x'.repeat(1024));
      if (written >= 1024 * 1024) clearInterval(timer), response.end();
    }, 1);
    response.on('close', () => clearInterval(timer));
  };
  const error = await failure(request(4 * 1024));
  expect(error.message).toBe('Sandbox answered order o-1 with more than 4096 bytes');
  expect(written).toBeLessThan(1024 * 1024);
});
