/**
 * `order-tracker codec-server`: the encryption codec served to the Temporal UI (codec-server.ts),
 * with ORDER_TRACKER_ENCRYPTION_KEY (all its keys, during a rotation), on CODEC_SERVER_HOST and
 * CODEC_SERVER_PORT, for the UI origins CODEC_SERVER_ORIGINS, behind CODEC_SERVER_TOKEN when set.
 * Runs until SIGINT/SIGTERM. The token is never printed.
 */
import type { AddressInfo } from 'node:net';
import { ConfigError, type Config, loadConfig } from '../common/config';
import { EncryptionCodec, parseEncryptionKeys } from '../common/encryption-codec';
import { startCodecServer } from './codec-server';

/** How long a stop waits for requests in flight before it cuts their connections. */
const STOP_GRACE_MS = 2_000;

export interface RunningCodecServer {
  /** http://host:port, without the token. */
  url: string;
  stop(): Promise<void>;
}

export async function startCodecServerFromConfig(config: Config): Promise<RunningCodecServer> {
  const keys = config.environment.ORDER_TRACKER_ENCRYPTION_KEY;
  if (keys === undefined) throw new ConfigError('codec-server needs ORDER_TRACKER_ENCRYPTION_KEY: the keys the workers encrypt with');
  const { CODEC_SERVER_HOST: host, CODEC_SERVER_PORT: port, CODEC_SERVER_ORIGINS: origins, CODEC_SERVER_TOKEN: token } = config.environment;
  const server = await startCodecServer({
    codec: new EncryptionCodec(parseEncryptionKeys(keys)),
    port,
    host,
    origins: origins.split(',').map((origin) => origin.trim()),
    token,
  }).catch((error: unknown) => {
    throw new ConfigError(`cannot serve the codec at ${host}:${port} (CODEC_SERVER_HOST, CODEC_SERVER_PORT): ${error instanceof Error ? error.message : String(error)}`);
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // A browser keeps its connections open between the UI's requests: idle ones close now, and
        // one still busy after a grace period is cut, so a SIGTERM ends the process in bounded time.
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS).unref();
      }),
  };
}

export async function runCodecServer(output: { write(text: string): void }): Promise<number> {
  const config = loadConfig();
  const running = await startCodecServerFromConfig(config);
  const endpoint = config.environment.CODEC_SERVER_TOKEN === undefined ? running.url : `${running.url}/<CODEC_SERVER_TOKEN>`;
  output.write(`codec server on ${running.url} for ${config.environment.CODEC_SERVER_ORIGINS}`);
  output.write(`Temporal UI: Settings → Codec Server → ${endpoint} (or start the dev server with --ui-codec-endpoint ${endpoint})`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await running.stop();
  return 0;
}
