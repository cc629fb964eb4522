import { Client, Connection } from '@temporalio/client';
import { type Config, temporalConnection } from '../common/config';
import { dataConverterFor } from '../common/encryption-codec';
import { tracingClientInterceptors } from '../common/tracing';

/** Nothing answered at the configured address: exit code 1, with the address in the message. */
export class TemporalUnreachableError extends Error {
  override readonly name = 'TemporalUnreachableError';
}

/** Fail within seconds when no server answers, rather than hang a CLI command. */
const CONNECT_TIMEOUT_MS = 5_000;

export function unreachable(address: string, error: unknown): TemporalUnreachableError {
  const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new TemporalUnreachableError(
    `no Temporal server answers at ${address} (TEMPORAL_ADDRESS): ${reason}. Start one with \`npm start\` or point TEMPORAL_ADDRESS at your cluster.`,
  );
}

export async function connectConnection(config: Config): Promise<Connection> {
  const { connectionOptions } = temporalConnection(config);
  const { address } = connectionOptions;
  try {
    return await Connection.connect({
      address,
      tls: connectionOptions.tls,
      apiKey: connectionOptions.apiKey,
      metadata: connectionOptions.metadata,
      connectTimeout: CONNECT_TIMEOUT_MS,
    });
  } catch (error) {
    throw unreachable(address, error);
  }
}

export async function connectClient(config: Config): Promise<Client> {
  return new Client({
    connection: await connectConnection(config),
    namespace: config.namespace,
    dataConverter: dataConverterFor(config.environment.ORDER_TRACKER_ENCRYPTION_KEY),
    // When this process traces: starts and signals carry the order's trace into the workflow.
    interceptors: { workflow: tracingClientInterceptors() },
  });
}
