import { setTimeout as sleep } from 'node:timers/promises';
import type { Outcome, Progress, TrackOrderResult } from '../domain/types';
import { formatProgress, formatProgressChanges } from './format';
import { OrderNotFoundError } from '../client/order-tracker';

/** How often the `progress` query is asked: countdowns tick by the second. */
export const FOLLOW_INTERVAL_MS = 1_000;
/**
 * Failed queries in a row tolerated before giving up (about a minute at one a second): a worker
 * restarting or an order continuing as new answers again within that.
 */
const MAX_FAILURES_IN_A_ROW = 60;

/**
 * Where the view goes. `redraw`: a terminal, the whole view rewritten in place every second;
 * `append`: a pipe or file, only the lines that changed; `json`: one progress line per change.
 */
export type FollowMode = 'redraw' | 'append' | 'json';

export interface FollowOptions {
  mode: FollowMode;
  /** Raw text to stdout: nothing is added, line ends included. */
  write(text: string): void;
  /** The terminal's width, so a redraw knows how many rows wrapped lines took. */
  columns?(): number | undefined;
  intervalMs?: number;
  now?(): number;
}

export interface OrderSource {
  progress(): Promise<Progress>;
  /** Settles when the order's workflow closes (following continue-as-new). */
  result(): Promise<TrackOrderResult>;
}

type Ended = { ok: true; result: TrackOrderResult } | { ok: false; error: unknown };

/**
 * Shows an order's progress until its workflow ends, then returns the outcome. The loop ends on the
 * workflow's result rather than on the query's outcome, because the ledger may still replace the
 * outcome during fulfilment (a final verdict recorded earlier stands), and an order terminated by
 * hand never gets one.
 */
export async function followOrder(source: OrderSource, options: FollowOptions): Promise<Outcome> {
  const view = createView(options);
  const now = options.now ?? Date.now;
  let ended: Ended | undefined;
  const ending = source.result().then(
    (result): Ended => (ended = { ok: true, result }),
    (error: unknown): Ended => (ended = { ok: false, error }),
  );
  let failures = 0;
  for (;;) {
    const closed = ended !== undefined;
    try {
      const progress = await source.progress();
      failures = 0;
      view.show(progress, now(), closed);
    } catch (error) {
      // The order must exist when following starts; later a failed query is shown and retried.
      if (error instanceof OrderNotFoundError && !view.started) throw error;
      failures += 1;
      if (!closed && failures >= MAX_FAILURES_IN_A_ROW) throw error;
      if (!closed) view.trouble(error);
    }
    if (closed) break;
    // Woken early when the workflow closes; the timer is then cleared so it cannot delay the exit.
    const pause = new AbortController();
    await Promise.race([sleep(options.intervalMs ?? FOLLOW_INTERVAL_MS, undefined, { signal: pause.signal }), ending]);
    pause.abort();
  }
  const result = ended as Ended;
  if (!result.ok) throw result.error;
  return result.result.outcome;
}

interface View {
  /** Whether a first snapshot was shown. */
  started: boolean;
  show(progress: Progress, now: number, closed: boolean): void;
  trouble(error: unknown): void;
}

function createView(options: FollowOptions): View {
  switch (options.mode) {
    case 'redraw':
      return redrawView(options);
    case 'append':
      return appendView(options);
    case 'json':
      return jsonView(options);
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] ?? error.name : String(error);
}

/** A terminal: the status view, rewritten in place (cursor up over the last view, clear below). */
function redrawView(options: FollowOptions): View {
  let rows = 0;
  let shown = '';
  const view: View = {
    started: false,
    show(progress, now, closed) {
      const footer = closed ? '' : '\nfollowing (Ctrl-C stops following; the order stays tracked)';
      shown = formatProgress(progress, now);
      draw(`${shown}${footer}`);
      view.started = true;
    },
    trouble(error) {
      draw(`${shown === '' ? '' : `${shown}\n`}progress unavailable (${reason(error)}); asking again`);
    },
  };
  function draw(text: string): void {
    const erase = rows > 0 ? `\x1b[${rows}A\r\x1b[J` : '';
    options.write(`${erase}${text}\n`);
    rows = rowsOf(text, options.columns?.());
  }
  return view;
}

/** Rows a text takes on a terminal `columns` wide (long lines wrap). */
export function rowsOf(text: string, columns: number | undefined): number {
  return text.split('\n').reduce((rows, line) => {
    const width = columns && columns > 0 ? columns : Number.POSITIVE_INFINITY;
    return rows + Math.max(1, Math.ceil(line.length / width));
  }, 0);
}

/** A pipe or a file: what changed since the last look, one line each. */
function appendView(options: FollowOptions): View {
  let previous: Progress | undefined;
  let troubled = false;
  const view: View = {
    started: false,
    show(progress, now) {
      const lines = formatProgressChanges(previous, progress, now);
      if (lines.length > 0) options.write(`${lines.join('\n')}\n`);
      previous = progress;
      troubled = false;
      view.started = true;
    },
    trouble(error) {
      // Once per spell of trouble, not every second.
      if (!troubled) options.write(`progress unavailable (${reason(error)}); asking again\n`);
      troubled = true;
    },
  };
  return view;
}

/** Scripts: the whole progress snapshot as one JSON line, whenever it changed. */
function jsonView(options: FollowOptions): View {
  let last = '';
  const view: View = {
    started: false,
    show(progress) {
      const line = JSON.stringify(progress);
      if (line !== last) options.write(`${line}\n`);
      last = line;
      view.started = true;
    },
    trouble() {},
  };
  return view;
}
