/**
 * `import … from 'order-tracker/worker'`: a worker embedded in backend code, running its
 * fulfilment hooks for each recorded outcome (docs/contract.md, "Hooks").
 */
export { runWorkerProcess } from './run-worker';
export { createWorkers, runWorkers, type WorkerOptions } from './worker';
export type { FulfilmentHook, FulfilmentHooks, HookContext } from '../activities/fulfilment-hooks';
export { ConfigError, loadConfig, type Config } from '../common/config';
export { openLedger } from '../storage/open-database';
export type { Ledger, LedgerRow } from '../storage/ledger/ledger';
