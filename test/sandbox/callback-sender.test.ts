/**
 * The callback sender against hostile receivers over real HTTP (issue 29, R8): one that trickles its
 * answer a byte at a time never ends (an idle timeout alone held the attempt for ever), and one that
 * answers an error with a huge body must not be read whole (a 400 MB answer took a worker to 1.3 GB).
 */
import { type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_ERROR_BODY_BYTES, createCallbackSender } from '../../callbacks/callback-sender';

let server: Server;
let url = '';
let handler: (response: ServerResponse) => void = (response) => response.end();
const open = new Set<ServerResponse>();

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    open.add(response);
    response.on('close', () => open.delete(response));
    request.on('end', () => handler(response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks`;
});

afterAll(async () => {
  for (const response of open) response.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test('a 2xx whose body trickles a byte at a time counts as delivered, its body never waited for past the deadline', async () => {
  let trickle: NodeJS.Timeout | undefined;
  handler = (response) => {
    response.writeHead(200, { 'content-type': 'text/plain' });
    trickle = setInterval(() => response.write('.'), 100);
    response.on('close', () => clearInterval(trickle));
  };
  const sender = createCallbackSender({ url, secrets: ['s'], requestTimeoutMs: 1_000 });
  const started = Date.now();
  const result = await sender.send('{}', 'key-trickle');
  clearInterval(trickle);
  // A 2xx status line came at once: the sender takes it as delivered and reads no more of the body.
  expect(result.kind).toBe('delivered');
  expect(Date.now() - started).toBeLessThan(3_000);
});

test('an error answer trickled a byte at a time ends the attempt at its deadline, to be retried', async () => {
  let trickle: NodeJS.Timeout | undefined;
  handler = (response) => {
    response.writeHead(500, { 'content-type': 'text/plain' });
    trickle = setInterval(() => response.write('.'), 100);
    response.on('close', () => clearInterval(trickle));
  };
  const sender = createCallbackSender({ url, secrets: ['s'], requestTimeoutMs: 1_000 });
  const started = Date.now();
  const result = await sender.send('{}', 'key-trickle-error');
  clearInterval(trickle);
  expect(result).toMatchObject({ kind: 'retry', detail: expect.stringMatching(/did not answer within 1000 ms/) });
  expect(Date.now() - started).toBeLessThan(3_000);
});

test('a 400 with a huge body is read no further than a few KB, and its detail is short', async () => {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  let written = 0;
  handler = (response) => {
    response.writeHead(400, { 'content-type': 'text/plain' });
    const pump = () => {
      // 200 MB offered, as fast as the client takes it.
      while (written < 200 * 1024 * 1024 && response.write(chunk)) written += chunk.length;
      if (written < 200 * 1024 * 1024 && !response.destroyed) response.once('drain', pump);
      else response.end();
    };
    pump();
  };
  const sender = createCallbackSender({ url, secrets: ['s'], requestTimeoutMs: 10_000 });
  const result = await sender.send('{}', 'key-huge');
  expect(result.kind).toBe('rejected');
  expect(result.kind === 'rejected' && result.detail.length).toBeLessThan(260);
  // The server got no further than its socket buffers before the sender stopped reading.
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(written).toBeLessThan(32 * 1024 * 1024);
  expect(MAX_ERROR_BODY_BYTES).toBeLessThanOrEqual(16 * 1024);
});
