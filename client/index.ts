/**
 * `import … from 'order-tracker'`: what backend code needs to start, follow and cancel orders
 * (package.json's `exports` map points here; deep paths are not part of the package's surface).
 */
export {
  MAX_WAIT_LIMIT_MS,
  OrderNotFoundError,
  OrderTracker,
  trackerFromConfig,
  type JoinedOrder,
  type ListFilter,
  type ListedOrder,
  type OrderPage,
  type OrderTrackerOptions,
  type PushResponse,
  type TrackOptions,
  type TrackResponse,
} from './order-tracker';
export { TemporalUnreachableError, connectClient } from './connect';
export { ConfigError, loadConfig, type Config } from '../common/config';
export { InvalidInputError } from '../common/order-input';
export type { Ledger, LedgerRow } from '../storage/ledger/ledger';
export { orderWorkflowId } from '../domain/ids';
export {
  PROVIDER_NAMES,
  isFinalOutcome,
  type CallbackState,
  type Details,
  type Observation,
  type Outcome,
  type Phase,
  type Progress,
  type ProviderName,
  type TrackOrderResult,
  type Transition,
} from '../domain/types';
