/**
 * Replays every committed trackOrder history against today's workflow code. A change that would
 * break a running order (a command added, removed or reordered without `patched()`) fails here.
 * Histories live in test/histories/<version>/, one folder per shipped shape of the workflow.
 */
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { workflowBundle } from '../helpers/worker-stack';

const HISTORIES = join(__dirname, '..', 'histories');

function historyFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? historyFiles(join(directory, entry.name)) : entry.name.endsWith('.json') ? [join(directory, entry.name)] : [],
  );
}

const files = historyFiles(HISTORIES);

test('there are recorded histories to replay', () => {
  expect(files.length).toBeGreaterThanOrEqual(1);
});

test.each(files.map((file) => [relative(HISTORIES, file), file]))('%s replays without nondeterminism', async (_name, file) => {
  const history = historyFromJSON(JSON.parse(readFileSync(file, 'utf8')));
  await expect(
    Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, `replay-${_name}`),
  ).resolves.toBeUndefined();
});
