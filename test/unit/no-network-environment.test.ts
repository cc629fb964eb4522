/** The unit tier runs in test/helpers/no-network-environment.ts: no socket, server or process. */
import { execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:http';
import { connect, createServer as createTcpServer } from 'node:net';

const REFUSED = /a unit test does not .*: move it to test\/sandbox or a tier with servers/;

test('no server listens', () => {
  expect(() => createServer().listen(0)).toThrow(REFUSED);
  expect(() => createTcpServer().listen(0)).toThrow(REFUSED);
});

test('no connection opens, by net or by fetch', async () => {
  expect(() => connect(80, '127.0.0.1')).toThrow(REFUSED);
  await expect(fetch('http://127.0.0.1:9/')).rejects.toThrow();
});

test('no UDP socket binds', () => {
  expect(() => createSocket('udp4').bind(0)).toThrow(REFUSED);
});

test('no process starts', () => {
  expect(() => spawn(process.execPath, ['--version'])).toThrow(REFUSED);
  expect(() => execFileSync(process.execPath, ['--version'])).toThrow(REFUSED);
});
