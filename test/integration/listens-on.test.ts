import { spawn } from 'node:child_process';
import net from 'node:net';
import { findFreePort, listensOn } from '../../common/temporal-servers';

/** Whose listener is on a port: what lets a test server tell its own port from one another process took. */
describe('listensOn', () => {
  it('is true for the process that listens on the port, false for a port nobody listens on', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      expect(listensOn(process.pid, port)).toBe(true);
      expect(listensOn(process.pid, await findFreePort())).toBe(false);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('is false for a process other than the one that listens', async () => {
    const port = await findFreePort();
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${port}, '127.0.0.1', () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      expect(listensOn(child.pid as number, port)).toBe(true);
      expect(listensOn(process.pid, port)).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
