/**
 * A throwaway PostgreSQL cluster for ledger runs: Debian's server binaries (installed by
 * scripts/install-postgres.sh when missing), a fresh data directory in a temporary folder, a free
 * port on 127.0.0.1, trust authentication, and everything removed again by `stop()`.
 *
 * initdb refuses to run as root, so as root every server command runs as the `postgres` user
 * (`runuser -u postgres --`) in a folder that user owns.
 */
import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { findFreePort } from '../../common/temporal-servers';

const run = promisify(execFile);
const INSTALL_SCRIPT = resolve(__dirname, '..', '..', 'scripts', 'install-postgres.sh');
/** apt-get update + install on a slow mirror. */
const INSTALL_TIMEOUT_MS = 10 * 60_000;
const START_ATTEMPTS = 3;

export interface PostgresCluster {
  /** `postgres://postgres@127.0.0.1:<port>/<database>`: what DATABASE_URL takes. */
  url: string;
  port: number;
  /** The temporary folder holding the data directory, the socket and the server log. */
  directory: string;
  /**
   * `pg_terminate_backend` on every connection to the cluster's database (what a failover or an
   * idle-session killer does to the clients); resolves with how many there were.
   */
  terminateBackends(): Promise<number>;
  /** Connections to the cluster's database whose `application_name` is this (e.g. a worker's). */
  countBackends(applicationName: string): Promise<number>;
  /** Stops the server at once and removes its folder. */
  stop(): Promise<void>;
}

export class PostgresUnavailableError extends Error {
  override readonly name = 'PostgresUnavailableError';
}

function commandOutput(error: unknown): string {
  const failure = error as { stderr?: string; stdout?: string; message?: string };
  return [failure.message, failure.stderr, failure.stdout].filter(Boolean).join('\n').trim();
}

/**
 * The directory of initdb and pg_ctl; installs Debian's postgresql first when it is missing.
 * Throws PostgresUnavailableError saying why when that is not possible.
 */
export async function postgresBinDirectory(): Promise<string> {
  try {
    const { stdout } = await run('bash', [INSTALL_SCRIPT], { timeout: INSTALL_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
    const directory = stdout.trim().split('\n').pop() ?? '';
    if (directory === '') throw new Error('scripts/install-postgres.sh printed no directory');
    return directory;
  } catch (error) {
    throw new PostgresUnavailableError(
      `PostgreSQL is needed for this run but is not installed and scripts/install-postgres.sh could not install it ` +
        `(apt-get install postgresql, as root):\n${commandOutput(error).split('\n').slice(-15).join('\n')}`,
    );
  }
}

interface PostgresUser {
  uid: number;
  gid: number;
}

/** As root, the server runs as `postgres`; as anyone else, as that user. */
async function postgresUser(): Promise<PostgresUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    return { uid, gid };
  } catch (error) {
    throw new PostgresUnavailableError(`running as root, but there is no postgres user to run the server as: ${commandOutput(error)}`);
  }
}

function asPostgres(user: PostgresUser | undefined, command: string, args: string[]): [string, string[]] {
  return user === undefined ? [command, args] : ['runuser', ['-u', 'postgres', '--', command, ...args]];
}

export async function startPostgresCluster(options: { database?: string } = {}): Promise<PostgresCluster> {
  const database = options.database ?? 'order_tracker';
  const binDirectory = await postgresBinDirectory();
  const user = await postgresUser();
  const directory = mkdtempSync(join(tmpdir(), 'order-tracker-pg-'));
  if (user !== undefined) chownSync(directory, user.uid, user.gid);
  const dataDirectory = join(directory, 'data');
  const logFile = join(directory, 'postgres.log');
  const pgCtl = join(binDirectory, 'pg_ctl');
  const exec = async (command: string, args: string[]) => {
    const [file, fileArgs] = asPostgres(user, command, args);
    return run(file, fileArgs, { timeout: 120_000, cwd: directory });
  };
  const remove = () => rmSync(directory, { recursive: true, force: true });

  try {
    await exec(join(binDirectory, 'initdb'), [
      '-D', dataDirectory, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions',
    ]);
  } catch (error) {
    remove();
    throw new PostgresUnavailableError(`initdb failed: ${commandOutput(error)}`);
  }

  let port = 0;
  let lastError: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS && port === 0; attempt += 1) {
    const candidate = await findFreePort();
    // Only this run's server: TCP on 127.0.0.1, its socket in its own folder, no fsync (the server is
    // never crashed here; the processes under test are).
    const serverOptions = `-p ${candidate} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${directory} -c fsync=off -c max_connections=200`;
    try {
      await exec(pgCtl, ['-D', dataDirectory, '-l', logFile, '-w', '-t', '60', '-o', serverOptions, 'start']);
      port = candidate;
    } catch (error) {
      lastError = error; // most likely the port was taken in between: try another one
    }
  }
  if (port === 0) {
    remove();
    throw new PostgresUnavailableError(`pg_ctl start failed ${START_ATTEMPTS} times: ${commandOutput(lastError)}`);
  }

  const stop = async () => {
    await exec(pgCtl, ['-D', dataDirectory, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    remove();
  };
  try {
    const admin = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${database}`);
    } finally {
      await admin.end();
    }
  } catch (error) {
    await stop();
    throw new PostgresUnavailableError(`could not create database ${database}: ${String(error)}`);
  }
  const asAdmin = async <T>(body: (admin: Client) => Promise<T>): Promise<T> => {
    const admin = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    await admin.connect();
    try {
      return await body(admin);
    } finally {
      await admin.end();
    }
  };
  const countBackends = (applicationName: string) =>
    asAdmin(async (admin) => {
      const result = await admin.query<{ count: string }>(
        'SELECT count(*) AS count FROM pg_stat_activity WHERE datname = $1 AND application_name = $2',
        [database, applicationName],
      );
      return Number(result.rows[0]?.count ?? 0);
    });
  const terminateBackends = () =>
    asAdmin(async (admin) => {
      // The volatile call stays outside the filter, so it only ever sees that database's backends.
      const result = await admin.query(
        'SELECT pg_terminate_backend(pid) FROM (SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()) AS backends',
        [database],
      );
      return result.rowCount ?? 0;
    });
  return { url: `postgres://postgres@127.0.0.1:${port}/${database}`, port, directory, terminateBackends, countBackends, stop };
}
