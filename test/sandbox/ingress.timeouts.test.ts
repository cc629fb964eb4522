/**
 * The ingress may face the internet: a client that trickles its request (slowloris) or opens a
 * socket and says nothing must not hold a connection. Real HTTP over real sockets; the timeouts are
 * shortened so the test does not wait 30 s, and the defaults are checked on the server itself.
 */
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { type Socket, connect } from 'node:net';
import { OrderTracker } from '../../client/order-tracker';
import { INGRESS_CONNECTION_TIMEOUT_MS, INGRESS_REQUEST_TIMEOUT_MS, buildIngress } from '../../workers/ingress';

// No request here reaches an order: nothing of Temporal is needed.
const tracker = new OrderTracker({ client: {} as Client, taskQueue: 'timeouts' });

async function listening(app: FastifyInstance): Promise<{ port: number }> {
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { port: Number(new URL(address).port) };
}

/** Everything the server sends until it closes the socket. */
function readUntilClosed(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('utf8')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(received));
  });
}

describe('the ingress timeouts', () => {
  test('the defaults are set on the HTTP server', async () => {
    const app = buildIngress({ tracker });
    await app.ready();
    try {
      expect(app.server.requestTimeout).toBe(INGRESS_REQUEST_TIMEOUT_MS);
      expect(app.server.timeout).toBe(INGRESS_CONNECTION_TIMEOUT_MS);
    } finally {
      await app.close();
    }
  });

  test('a request whose headers never finish is answered 408 and its socket closed', async () => {
    const app = buildIngress({ tracker, timeouts: { requestMs: 300, connectionMs: 60_000 } });
    const { port } = await listening(app);
    try {
      const socket = connect(port, '127.0.0.1');
      const closed = readUntilClosed(socket);
      // Headers without the blank line that ends them: the request is never complete.
      socket.write('POST /orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n');
      const keepTrickling = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 100);
      const received = await closed;
      clearInterval(keepTrickling);
      expect(received).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      await app.close();
    }
  });

  test('a socket that sends nothing is closed', async () => {
    const app = buildIngress({ tracker, timeouts: { requestMs: 60_000, connectionMs: 300 } });
    const { port } = await listening(app);
    try {
      const socket = connect(port, '127.0.0.1');
      const received = await readUntilClosed(socket);
      expect(received).toBe('');
      expect(socket.destroyed).toBe(true);
    } finally {
      await app.close();
    }
  });
});
