/** What the command accepts (commands, options, usage text) and where it writes. */
import type { ParsedArguments } from '../common/arguments';
import { PROVIDER_NAMES } from '../domain/types';

/** Every command there is; anything else is bad input. `worker` and `ingress` are what deployments run. */
export const COMMANDS = ['dev', 'worker', 'bundle-workflows', 'ingress', 'codec-server', 'sandbox', 'track', 'status', 'cancel', 'list', 'discover', 'redeliver'] as const;

export const USAGE = `Usage: order-tracker <command> [options]

Commands:
  dev                               the whole stack on embedded defaults (what npm start runs)
  worker                            run workflows and polls against TEMPORAL_ADDRESS
  bundle-workflows <dir>            bundle the workflows ahead of time for WORKFLOW_BUNDLE=<dir>
  ingress                           webhooks, the HTTP API and push bridges (INGRESS_PORT)
  codec-server                      decrypt payloads for the Temporal UI (CODEC_SERVER_PORT, ORDER_TRACKER_ENCRYPTION_KEY)
  sandbox                           run the provider simulators on 127.0.0.1
  track <provider> <orderId>        start tracking (--max-wait 2h, --ref <reference>, --wait, --follow)
  status <provider> <orderId>       show progress (--follow: live until the order ends; --history: the
                                    provider answers that changed it, from the ledger, --limit N newest)
  cancel <provider> <orderId>       stop tracking (--reason <text>)
  list                              one line per order (--provider, --status, --outcome, --limit, --page-token)
  discover <magma|houdini>          recent orders by the provider's list (--sales: Magma's sales, --limit; --track: start the
                                    untracked ones up to --max-age old that the ledger never held, default 24h)
  redeliver <provider> <orderId>    send a pending or rejected callback again

Every command takes --json (with --follow: one progress line per change). Providers: ${PROVIDER_NAMES.join(', ')}.
Exit codes: 0 ok/succeeded, 1 runtime error, 2 bad input, 3 not found, 10 failed, 11 timed_out, 12 tracking_cancelled.`;

export const OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  'max-wait': { type: 'string' },
  ref: { type: 'string' },
  wait: { type: 'boolean' },
  follow: { type: 'boolean' },
  reason: { type: 'string' },
  provider: { type: 'string' },
  status: { type: 'string' },
  outcome: { type: 'string' },
  limit: { type: 'string' },
  'page-token': { type: 'string' },
  sales: { type: 'boolean' },
  'max-age': { type: 'string' },
  track: { type: 'boolean' },
  history: { type: 'boolean' },
} as const;

export type Values = ParsedArguments<typeof OPTIONS>['values'];

export interface Output {
  write(text: string): void;
  error(text: string): void;
  /** Present when stdout is a terminal: `--follow` redraws its view in place through it. */
  terminal?: { write(raw: string): void; columns(): number | undefined };
}

export const processOutput: Output = {
  write: (text) => process.stdout.write(`${text}\n`),
  error: (text) => process.stderr.write(`${text}\n`),
  terminal: process.stdout.isTTY
    ? { write: (raw) => process.stdout.write(raw), columns: () => process.stdout.columns }
    : undefined,
};
