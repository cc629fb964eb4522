/**
 * Everything the rest of the project needs to know about one provider, declared in one place (one
 * `<name>-provider.ts` in its folder): its environment variables, which of them it needs, its URLs,
 * its push channels, how long its orders are followed, and how its adapter, bridge and webhook route
 * are built. The registry (registry.ts) lists the descriptors; config, workers, the ingress, the CLI
 * and the request budgets read them.
 */
import type { z } from 'zod';
import type { ProviderName } from '../domain/types';
import type { ProviderAdapter } from './provider';
import type { ProviderClock } from './provider-clock';
import type { PushBridge, PushContext, WebhookRoute } from './push/push-channel';

type Values<Shape extends z.ZodRawShape> = z.infer<z.ZodObject<Shape>>;
type Name<Shape> = keyof Shape & string;

/**
 * One way the provider pushes, turned on by its `switch` variable: the ingress then runs it (a socket
 * bridge, or the route `POST /webhooks/<provider>`), and a worker with the variable set may slow its
 * polls while pushes arrive. `needs`: what the channel cannot run without; loadConfig names any that
 * is missing. The builder is called by the ingress alone: load the channel's code inside it, so the
 * library never loads a socket client.
 */
export type PushChannelSpec<Shape extends z.ZodRawShape> =
  | { channel: 'websocket' | 'socketio'; switch: Name<Shape>; needs?: readonly Name<Shape>[]; bridge(values: Values<Shape>, context: PushContext): PushBridge }
  | { channel: 'webhook'; switch: Name<Shape>; needs?: readonly Name<Shape>[]; route(values: Values<Shape>, context: PushContext): WebhookRoute };

/** The provider's validated variables once every required one is set. */
export type CompleteValues<Shape extends z.ZodRawShape, Required extends Name<Shape>> = Values<Shape> & {
  [Key in Required]-?: NonNullable<Values<Shape>[Key]>;
};

export interface ProviderDescriptor<
  Provider extends ProviderName = ProviderName,
  Shape extends z.ZodRawShape = z.ZodRawShape,
  Required extends Name<Shape> = Name<Shape>,
  Settings = unknown,
> {
  name: Provider;
  /** How people write it (`OZZOBiT`): metrics help, budgets' descriptions. */
  label: string;
  /** Its environment variables, each `<NAME>_…` with a description (the configuration table shows it). */
  variables: Shape;
  /** What a worker needs before it polls the provider; some of them set but not all is an error. */
  required: readonly Required[];
  /** The variables that hold its URLs: a time scale is refused unless every one set is loopback. */
  urls: readonly Name<Shape>[];
  /** Pushes: its channels; `variables` are every push setting (a worker with no ingress beside it drops them). */
  push?: { channels: readonly PushChannelSpec<Shape>[]; variables: readonly Name<Shape>[] };
  /**
   * How long an order is followed before it ends `timed_out`, unless `--max-wait` says otherwise.
   * It covers the provider's own window, so a timeout means "still open", never a guess at failure.
   */
  defaultMaxWaitMs: number;
  /**
   * Poll groups a worker runs for the provider unless `<NAME>_POLL_GROUPS` says otherwise (0: its
   * orders poll on their own). One where a list endpoint answers for 100 orders a request: every
   * group reads the same pages, so more groups would only multiply them.
   */
  pollGroups: number;
  /** Its adapter reads list pages (a list sweep): `<NAME>_RECONCILE` can then track untracked orders. */
  lists?: boolean;
  /** The adapter's typed settings, from the provider's variables once the required ones are set. */
  settings(values: CompleteValues<Shape, Required>): Settings;
  /** `clock` maps wall time to the provider's (provider-clock.ts): waits it hands out are wall-clock. */
  createAdapter(settings: Settings, clock: ProviderClock): ProviderAdapter;
}

/** Checks a descriptor and keeps its literal types (its name, variables and settings) for the registry. */
export function defineProvider<Provider extends ProviderName, Shape extends z.ZodRawShape, Required extends Name<Shape>, Settings>(
  descriptor: ProviderDescriptor<Provider, Shape, Required, Settings>,
): ProviderDescriptor<Provider, Shape, Required, Settings> {
  return descriptor;
}

/**
 * A variable loadConfig has checked is set (a required one, a channel's switch or need): its value,
 * typed as set. Throws naming the variable when it is not (a builder called without loadConfig).
 */
export function variableValue<Values extends object, Key extends keyof Values & string>(values: Values, name: Key): NonNullable<Values[Key]> {
  const value = values[name];
  if (value === undefined || value === null) throw new Error(`${name} is not set`);
  return value as NonNullable<Values[Key]>;
}
