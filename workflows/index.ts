/** The workflows a worker registers. Workflow code only: see the lint rule for workflows/. */
export { trackOrder } from './track-order';
export { pollGroup } from './poll-group';
