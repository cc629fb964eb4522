/**
 * What non-ledger contenders report: one JSON line per event, appended synchronously (so a line
 * written before a SIGKILL survives it). `seen`: the tracker learned a status; `fulfilled`: it ran
 * its fulfilment for the order (twice means fulfilled twice).
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { Seen } from './metrics';

export type BenchEvent =
  | { type: 'seen'; orderId: string; status: string; at: number }
  | { type: 'fulfilled'; orderId: string; outcome: string; at: number };

export function appendEvent(file: string, event: BenchEvent): void {
  appendFileSync(file, `${JSON.stringify(event)}\n`);
}

export interface EventSummary {
  seen: Map<string, Seen[]>;
  fulfilments: Map<string, number>;
}

export function readEvents(file: string): EventSummary {
  const seen = new Map<string, Seen[]>();
  const fulfilments = new Map<string, number>();
  if (!existsSync(file)) return { seen, fulfilments };
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    let event: BenchEvent;
    try {
      event = JSON.parse(line) as BenchEvent;
    } catch {
      continue; // a line cut by a SIGKILL
    }
    if (event.type === 'seen') {
      const list = seen.get(event.orderId) ?? [];
      list.push({ status: event.status, at: event.at });
      seen.set(event.orderId, list);
    } else if (event.type === 'fulfilled') {
      fulfilments.set(event.orderId, (fulfilments.get(event.orderId) ?? 0) + 1);
    }
  }
  return { seen, fulfilments };
}

/** Fulfilment lines so far, cheaply (for the run's progress and its mid-run kill). */
export function countFulfilled(file: string): number {
  if (!existsSync(file)) return 0;
  const text = readFileSync(file, 'utf8');
  let count = 0;
  for (let at = text.indexOf('"fulfilled"'); at !== -1; at = text.indexOf('"fulfilled"', at + 1)) count += 1;
  return count;
}
