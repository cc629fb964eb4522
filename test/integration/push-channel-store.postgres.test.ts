/**
 * The push channels' table on the real PostgreSQL: workers and the ingress open it at the same
 * moment on a fresh database (the cluster test's start, where a second worker once died with
 * `type "push_channels" already exists`). Every opener must come up, and they all share one table.
 */
import { openPushChannelStore, type PushChannelStore } from '../../activities/push-channels/push-channel-store';
import { type PostgresCluster, startPostgresCluster } from '../helpers/postgres';

let database: PostgresCluster;

beforeAll(async () => {
  database = await startPostgresCluster({ database: 'push_channels_race' });
}, 180_000);

afterAll(() => database?.stop());

test('sixteen openers of the store at once on a fresh database all open it, and share one table', async () => {
  const stores: PushChannelStore[] = await Promise.all(Array.from({ length: 16 }, () => openPushChannelStore(database.url)));
  try {
    await stores[0]?.write({ provider: 'ozzobit', state: 'up', reason: null, since: 1_000 });
    for (const store of stores) {
      expect(await store.readAll()).toEqual([expect.objectContaining({ provider: 'ozzobit', state: 'up' })]);
    }
  } finally {
    await Promise.all(stores.map((store) => store.close()));
  }
});
