import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Real-time wait for a check against a real server (queries, visibility, the sandbox's log): tries
 * again every `intervalMs` until it holds, and fails naming `what` after `timeoutMs`.
 */
export async function eventually(
  what: string,
  check: () => boolean | Promise<boolean>,
  { timeoutMs = 20_000, intervalMs = 200 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const reason = lastError === undefined ? '' : ` (last error: ${String(lastError)})`;
      throw new Error(`not true within ${timeoutMs} ms: ${what}${reason}`);
    }
    await sleep(intervalMs);
  }
}
