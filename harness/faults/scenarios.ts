/**
 * The fault tier's scenarios (issue 29, "The fault tier"). Each breaks one or more links of the
 * fault stack (fault-stack.ts) for a while and heals them; the run checks that no order was lost or
 * doubled and measures how the backlog drained after the heal.
 */
import type { FaultStack, LinkName } from './fault-stack';
import { LINKS } from './fault-stack';
import type { Toxic } from './toxiproxy';

export interface Scenario {
  name: string;
  /** What it does to the stack, for the report and the docs. */
  description: string;
  /** Breaks the links; the heal comes `faultMs` later. */
  apply(stack: FaultStack): Promise<void>;
  heal(stack: FaultStack): Promise<void>;
}

async function eachProxy(stack: FaultStack, links: readonly LinkName[], action: (proxy: string) => Promise<void>): Promise<void> {
  for (const link of links) for (const proxy of stack.links[link]) await action(proxy.name);
}

function toxicOn(name: string, description: string, links: readonly LinkName[], toxics: Toxic[]): Scenario {
  return {
    name,
    description,
    apply: (stack) => eachProxy(stack, links, async (proxy) => {
      for (const [index, toxic] of toxics.entries()) await stack.toxiproxy.addToxic(proxy, `${name}-${index}`, toxic);
    }),
    heal: (stack) => eachProxy(stack, links, async (proxy) => {
      for (const index of toxics.keys()) await stack.toxiproxy.removeToxic(proxy, `${name}-${index}`);
    }),
  };
}

function linkDown(link: LinkName, description: string): Scenario {
  return {
    name: `down:${link}`,
    description,
    apply: (stack) => eachProxy(stack, [link], (proxy) => stack.toxiproxy.disable(proxy)),
    heal: (stack) => eachProxy(stack, [link], (proxy) => stack.toxiproxy.enable(proxy)),
  };
}

export const SCENARIOS: readonly Scenario[] = [
  toxicOn('latency', '1 s ± 250 ms added to every answer on every link', LINKS, [{ type: 'latency', attributes: { latency: 1_000, jitter: 250 } }]),
  toxicOn('provider-hang', 'every provider accepts connections and never answers (data held, nothing closed)', ['worker-providers'], [{ type: 'timeout', attributes: { timeout: 0 } }]),
  toxicOn('resets', '30 % of the connections to providers, PostgreSQL, the receiver and Temporal reset by the peer after 1 s', LINKS, [
    { type: 'reset_peer', toxicity: 0.3, attributes: { timeout: 1_000 } },
  ]),
  toxicOn('trickled-callback', 'the callback receiver’s answer comes a byte every 300 ms (its 100-odd bytes take past the sender’s 15 s deadline)', ['worker-callbacks'], [
    { type: 'slicer', attributes: { average_size: 1, size_variation: 0, delay: 300_000 } },
  ]),
  linkDown('worker-temporal', 'the worker cut off from Temporal'),
  linkDown('ingress-temporal', 'the ingress cut off from Temporal while OZZOBiT redelivers the webhooks it answered 503'),
  linkDown('worker-providers', 'the worker cut off from every provider'),
  linkDown('worker-postgres', 'the worker cut off from the ledger database'),
  linkDown('worker-callbacks', 'the worker cut off from the callback receiver'),
];

/** What `npm test` plays (shortened): one of each kind of fault. */
export const SMALL_RUN_SCENARIOS = ['latency', 'provider-hang', 'trickled-callback', 'down:worker-postgres', 'down:ingress-temporal'];

export function scenarioNamed(name: string): Scenario {
  const scenario = SCENARIOS.find((candidate) => candidate.name === name);
  if (scenario === undefined) throw new Error(`no fault scenario ${JSON.stringify(name)}; there are ${SCENARIOS.map((each) => each.name).join(', ')}`);
  return scenario;
}
