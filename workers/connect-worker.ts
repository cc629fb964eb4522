import { NativeConnection } from '@temporalio/worker';
import { unreachable } from '../client/connect';
import { type Config, temporalConnection } from '../common/config';

/** The worker's connection to Temporal (the library's own is connectClient, without the worker's native code). */
export async function connectWorker(config: Config): Promise<NativeConnection> {
  const { connectionOptions } = temporalConnection(config);
  try {
    return await NativeConnection.connect(connectionOptions);
  } catch (error) {
    throw unreachable(connectionOptions.address, error);
  }
}
