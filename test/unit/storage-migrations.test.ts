import { POSTGRES_MIGRATIONS } from '../../storage/migrations/postgres-migrations';
import { SQLITE_MIGRATIONS } from '../../storage/migrations/sqlite-migrations';

const steps = (migrations: readonly { version: number; name: string }[]) => migrations.map(({ version, name }) => ({ version, name }));

describe('the storage migrations', () => {
  it.each([
    ['SQLite', SQLITE_MIGRATIONS],
    ['PostgreSQL', POSTGRES_MIGRATIONS],
  ])('on %s are numbered 1, 2, 3… in the order they run (the runner applies those above the last applied)', (_name, migrations) => {
    expect(migrations.map((migration) => migration.version)).toEqual(migrations.map((_, index) => index + 1));
  });

  it('name the same steps on both backends: a step added to one list is added to the other', () => {
    expect(steps(POSTGRES_MIGRATIONS)).toEqual(steps(SQLITE_MIGRATIONS));
  });
});
