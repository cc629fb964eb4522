/**
 * A fifth provider, added the way README's "Adding a provider" says: one adapter and one descriptor.
 * Toy's API is `GET {TOY_URL}/orders/:id` with `Authorization: Token <TOY_TOKEN>`, answering
 * `{ id, state }` where state is `waiting`, `paid` or `refused`. Its simulator is below.
 */
import { createServer, type Server } from 'node:http';
import { z } from 'zod';
import { optionalText, optionalUrl } from '../../../common/environment-values';
import { getProviderJson, parseProviderAnswer } from '../../../providers/rest-json';
import { defineProvider } from '../../../providers/provider-descriptor';
import type { ProviderAdapter } from '../../../providers/provider';
import { type StatusClass, TERMINAL_RANK, classifyByTable, toObservation } from '../../../providers/status-class';
import type { Observation, ProviderName } from '../../../domain/types';

/** Not one of PROVIDER_NAMES: the toy is registered at run time (registerProvider). */
export const TOY = 'toy' as ProviderName;

/** The status table: phase, rank and the wait before asking again. */
interface ToyStatusInfo extends StatusClass {
  waitMs: number;
}
const TOY_STATES = {
  waiting: { phase: 'in_flight', recognised: true, rank: 1, waitMs: 5_000 },
  paid: { phase: 'succeeded', recognised: true, rank: TERMINAL_RANK, waitMs: 0 },
  refused: { phase: 'failed', recognised: true, rank: TERMINAL_RANK, waitMs: 0 },
} satisfies Record<string, ToyStatusInfo>;
const UNKNOWN_STATE: ToyStatusInfo = { phase: 'in_flight', recognised: false, rank: 0, waitMs: 30_000 };

const toyOrderSchema = z.object({ id: z.string(), state: z.string() });

export function toToyObservation(state: string): Observation {
  const info = classifyByTable<string, ToyStatusInfo>(TOY_STATES, state, UNKNOWN_STATE);
  return toObservation(state, info, info.waitMs, {});
}

function createToyAdapter(settings: { url: string; token: string }): ProviderAdapter {
  return {
    name: TOY,
    async fetchOrder(orderId, signal) {
      const json = await getProviderJson({
        provider: 'Toy',
        url: `${settings.url.replace(/\/+$/, '')}/orders/${encodeURIComponent(orderId)}`,
        headers: { Authorization: `Token ${settings.token}` },
        timeoutMs: 5_000,
        signal,
        what: `order ${orderId}`,
        credentials: 'the token',
      });
      return toToyObservation(parseProviderAnswer('Toy', 'order', toyOrderSchema, json).state);
    },
  };
}

export const toyProvider = defineProvider({
  name: TOY,
  label: 'Toy',
  variables: {
    TOY_URL: optionalUrl.describe('Toy API base URL'),
    TOY_TOKEN: optionalText.describe('Toy API token'),
  },
  required: ['TOY_URL', 'TOY_TOKEN'],
  urls: ['TOY_URL'],
  defaultMaxWaitMs: 10 * 60_000,
  pollGroups: 1,
  settings: (values) => ({ url: values.TOY_URL, token: values.TOY_TOKEN }),
  createAdapter: createToyAdapter,
});

export interface ToySimulator {
  url: string;
  /** Each order answers its states in turn, one per request, then stays at the last. */
  addOrder(orderId: string, states: string[]): void;
  requests: { orderId: string; authorization: string | undefined; at: number }[];
  close(): Promise<void>;
}

export async function startToySimulator(token: string): Promise<ToySimulator> {
  const orders = new Map<string, string[]>();
  const requests: ToySimulator['requests'] = [];
  const server: Server = createServer((request, response) => {
    const match = /^\/orders\/([^/?]+)$/.exec(request.url ?? '');
    const orderId = match === null ? '' : decodeURIComponent(match[1] ?? '');
    requests.push({ orderId, authorization: request.headers.authorization, at: Date.now() });
    const states = orders.get(orderId);
    const answer = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (request.headers.authorization !== `Token ${token}`) return answer(401, { message: 'bad token' });
    if (states === undefined) return answer(404, { message: 'no such order' });
    const state = states.length > 1 ? states.shift() : states[0];
    return answer(200, { id: orderId, state });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('toy simulator has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    addOrder: (orderId, states) => void orders.set(orderId, [...states]),
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
