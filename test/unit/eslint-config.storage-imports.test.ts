import { restrictedImports } from '../helpers/lint-probe';

/**
 * The storage boundary of eslint.config.js: storage/ (the database and its stores) imports nothing
 * above it. The project's config is handed over whole, with type information off so probe files
 * that are not on disk lint fast (test/helpers/lint-probe.ts says why).
 */

describe('eslint.config.js: storage imports nothing above it', () => {
  it.each([
    ['an activity (the pool as it used to be)', 'storage/ledger/probe.ts', "import { openPostgresPool } from '../../activities/postgres-pool';\nexport const open = openPostgresPool;\n"],
    ['the activities index', 'storage/probe.ts', "import { createActivities } from '../activities';\nexport const create = createActivities;\n"],
    ['a worker', 'storage/probe.ts', "import { runWorker } from '../workers/run-worker';\nexport const run = runWorker;\n"],
    ['the client', 'storage/ledger/probe.ts', "import { OrderTracker } from '../../client/order-tracker';\nexport const Tracker = OrderTracker;\n"],
    ['the CLI', 'storage/probe.ts', "import { runCli } from '../cli/main';\nexport const run = runCli;\n"],
    ['workflow code', 'storage/probe.ts', "import { trackOrder } from '../workflows/track-order';\nexport const track = trackOrder;\n"],
    ['a provider', 'storage/push-channels/probe.ts', "import { createProviders } from '../../providers/registry';\nexport const create = createProviders;\n"],
    ['the callbacks', 'storage/probe.ts', "import { createCallbackSender } from '../callbacks/callback-sender';\nexport const sender = createCallbackSender;\n"],
    ['the harness', 'storage/probe.ts', "import { ledgerReader } from '../harness/checks/ledger-reader';\nexport const reader = ledgerReader;\n"],
    ['a test helper', 'storage/probe.ts', "import { uniqueId } from '../test/helpers/worker-stack';\nexport const id = uniqueId;\n"],
    ['a type from the activities (import type)', 'storage/probe.ts', "import type { Activities } from '../activities';\nexport type Used = Activities;\n"],
  ])('rejects %s in a storage file', async (_name, filePath, code) => {
    const errors = await restrictedImports(code, filePath);
    expect(errors).toHaveLength(1);
    // The harness and the tests fall to the rule every product folder has (eslint-config.harness-imports.test.ts).
    expect(errors[0]).toMatch(/storage\/ imports nothing above it|never imports the harness/);
  });

  it.each([
    ['domain types', 'storage/ledger/probe.ts', "import { orderKey } from '../../domain/ids';\nexport const key = orderKey;\n"],
    ['a common helper', 'storage/probe.ts', "import { parseDuration } from '../common/duration';\nexport const parse = parseDuration;\n"],
    ['another store', 'storage/request-slots/probe.ts', "import { FLOOR_ONLY_SHARD } from '../poll-group-members/member-store';\nexport const shard = FLOOR_ONLY_SHARD;\n"],
    ['its own pool', 'storage/ledger/probe.ts', "import type { Transaction } from '../postgres-pool';\nexport type Used = Transaction;\n"],
    ['the drivers', 'storage/probe.ts', "import { Pool } from 'pg';\nimport Sqlite from 'better-sqlite3';\nexport const both = [Pool, Sqlite];\n"],
  ])('allows %s in a storage file', async (_name, filePath, code) => {
    expect(await restrictedImports(code, filePath)).toEqual([]);
  });

  it('holds for storage/ only: an activity may import storage', async () => {
    const code = "import { openDatabase } from '../storage/open-database';\nexport const open = openDatabase;\n";
    expect(await restrictedImports(code, 'activities/probe.ts')).toEqual([]);
  });
});
