import type { DetailValue, Details } from '../domain/types';

/** Provider text can be anything; history and the UI get a bounded, flat version of it. */
const MAX_TEXT_LENGTH = 256;

export function boundText(value: string): string {
  return value.length <= MAX_TEXT_LENGTH ? value : `${value.slice(0, MAX_TEXT_LENGTH - 1)}…`;
}

/** Drops undefined, keeps finite numbers, booleans and null, shortens long strings. */
export function boundDetails(values: Record<string, DetailValue | undefined>): Details {
  const details: Details = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    if (typeof value === 'string') details[key] = boundText(value);
    else if (typeof value === 'number') details[key] = Number.isFinite(value) ? value : null;
    else details[key] = value;
  }
  return details;
}
