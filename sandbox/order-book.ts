/**
 * The scripted orders one simulator holds, and where each one is in its script. The clock is passed
 * in, so a simulator reads it once per request and every answer in that request agrees.
 */
import { currentStep, fieldsAt, initialState, recordAnswer, stepEndsAt } from './scenario';
import type { OrderScript, ScriptState, Step } from './scenario';

/** An order as it stands at one moment. */
export interface OrderSnapshot<Script extends OrderScript = OrderScript> {
  script: Script;
  /** Wall-clock milliseconds when the order was added; simulators show it as the creation time. */
  addedAt: number;
  stepIndex: number;
  step: Step;
  /** Fields of this step and the earlier ones, merged. */
  fields: Record<string, unknown>;
  /** Wall-clock milliseconds when the current step runs out, if it is timed. */
  stepEndsAt?: number;
}

interface Entry<Script extends OrderScript> {
  script: Script;
  state: ScriptState;
  addedAt: number;
}

export class OrderBook<Script extends OrderScript = OrderScript> {
  private readonly entries = new Map<string, Entry<Script>>();

  constructor(private readonly timeScale: number) {
    if (!(timeScale > 0 && Number.isFinite(timeScale))) throw new Error(`timeScale must be a positive number, got ${timeScale}`);
  }

  /** Adds an order, or restarts it from its first step when the id is already known. */
  add(script: Script, now: number): void {
    this.entries.delete(script.id); // so a re-added order also moves to the end of the listing order
    this.entries.set(script.id, { script, state: initialState(now), addedAt: now });
  }

  snapshot(orderId: string, now: number): OrderSnapshot<Script> | undefined {
    const entry = this.entries.get(orderId);
    if (entry === undefined) return undefined;
    const { index, step, state } = currentStep(entry.script, entry.state, now, this.timeScale);
    entry.state = state; // catching up is idempotent; keeping it saves the walk next time
    return {
      script: entry.script,
      addedAt: entry.addedAt,
      stepIndex: index,
      step,
      fields: fieldsAt(entry.script, index),
      stepEndsAt: stepEndsAt(entry.script, state, this.timeScale),
    };
  }

  /** Every order, oldest first. */
  all(now: number): OrderSnapshot<Script>[] {
    return [...this.entries.keys()].flatMap((orderId) => this.snapshot(orderId, now) ?? []);
  }

  /** Counts one request answered with the order's current step (request-count steps advance on it). */
  recordAnswer(orderId: string, now: number): void {
    const entry = this.entries.get(orderId);
    if (entry === undefined) return;
    entry.state = recordAnswer(entry.script, entry.state, now, this.timeScale);
  }
}
