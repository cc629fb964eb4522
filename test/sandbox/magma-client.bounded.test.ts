/**
 * A Magma answer is read no further than the 1 MiB every provider's answer is held to (issue 29,
 * R9): a 400 MB answer was read whole before (1.8 GB RSS). Real HTTP; the server offers 200 MB as
 * fast as the client takes it, with and without a Content-Length.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMagmaAdapter } from '../../providers/magma/magma-client';
import { listMagmaPage } from '../../providers/magma/magma-list';
import { ProviderCallError } from '../../providers/provider-error';
import { MAX_RESPONSE_BYTES } from '../../providers/rest-json';

const OFFERED = 200 * 1024 * 1024;
let server: Server;
let url = '';
let written = 0;
let declareLength = false;

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    written = 0;
    response.writeHead(200, { 'content-type': 'application/json', ...(declareLength && { 'content-length': String(OFFERED) }) });
    const chunk = Buffer.alloc(64 * 1024, ' ');
    response.write('{"data":');
    const pump = () => {
      while (written < OFFERED && response.write(chunk)) written += chunk.length;
      if (written < OFFERED && !response.destroyed) response.once('drain', pump);
    };
    pump();
    response.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test.each([false, true])('a huge get_order answer (Content-Length declared: %s) is refused as invalid after at most the cap', async (declared) => {
  declareLength = declared;
  const adapter = createMagmaAdapter({ url, apiKey: 'key', requestTimeoutMs: 20_000 });
  const error = await adapter.fetchOrder('big').then(() => undefined, (reason: unknown) => reason);
  expect(error).toBeInstanceOf(ProviderCallError);
  expect(error).toMatchObject({ kind: 'invalid_response', message: expect.stringMatching(`more than ${MAX_RESPONSE_BYTES} bytes`) });
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(written).toBeLessThan(32 * 1024 * 1024);
});

test('so is a huge list page', async () => {
  declareLength = false;
  const error = await listMagmaPage({ url, apiKey: 'key' }, 'purchases', { limit: 100 }).then(() => undefined, (reason: unknown) => reason);
  expect(error).toMatchObject({ kind: 'invalid_response' });
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(written).toBeLessThan(32 * 1024 * 1024);
});
