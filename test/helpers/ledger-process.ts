/**
 * A process holding an open ledger, for tests that do things to its database while it lives (the
 * PostgreSQL blip test). Run with `node -r tsx/cjs`; DATABASE_URL names the ledger. Each stdin line
 * `record <orderId>` records a succeeded outcome and answers `recorded <orderId>` or
 * `failed <orderId> <message>` on stdout; the ledger's own warnings go to stderr.
 */
import { createInterface } from 'node:readline';
import { openLedger } from '../../storage/open-database';
import { loadConfig } from '../../common/config';

async function main(): Promise<void> {
  const ledger = await openLedger(loadConfig().databaseUrl);
  process.stdout.write('ready\n');
  for await (const line of createInterface({ input: process.stdin })) {
    const [command, orderId] = line.trim().split(' ');
    if (command !== 'record' || orderId === undefined) continue;
    try {
      await ledger.record({
        provider: 'magma',
        orderId,
        reference: null,
        outcome: 'succeeded',
        observation: null,
        transitions: [],
        workflowId: `order:magma:${orderId}`,
        occurredAt: new Date().toISOString(),
      });
      process.stdout.write(`recorded ${orderId}\n`);
    } catch (error) {
      process.stdout.write(`failed ${orderId} ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  await ledger.close();
}

void main();
