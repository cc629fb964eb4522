/**
 * ApplicationFailure type names thrown by activities and recognised by the workflow. One place,
 * so the two sides cannot drift apart.
 */
export const ErrorType = {
  /** 401/403: the key is wrong or revoked. Not retried by Temporal; the workflow re-checks slowly. */
  credentialsRefused: 'ProviderCredentialsRefused',
  /** The provider does not know the order any more (it knew a status of it). Re-checked slowly, like refused credentials. */
  orderNotFound: 'ProviderOrderNotFound',
  /**
   * BENIGN: the provider does not know a new order yet (activities/poll-requests.ts, notFoundYet): the
   * server retries the poll at the floor, then slowly; the workflow only sees it if the max wait ends first.
   */
  orderNotFoundYet: 'ProviderOrderNotFoundYet',
  /** 429: retried after Retry-After. */
  rateLimited: 'ProviderRateLimited',
  /** 5xx, timeouts, resets: retried with backoff. */
  unavailable: 'ProviderUnavailable',
  /** The answer did not match the schema: retried, and logged with what did not match. */
  invalidResponse: 'ProviderInvalidResponse',
  /** Another 4xx: the provider refuses the request; re-checked slowly like refused credentials. */
  requestRejected: 'ProviderRequestRejected',
  /** The callback receiver did not answer 2xx (nor a final 4xx): retried with backoff. */
  callbackUndelivered: 'CallbackUndelivered',
  /** The callback receiver answered 401/403: retried for a while (a skewed clock, a rotated secret), then rejected. */
  callbackUnauthorized: 'CallbackUnauthorized',
  /** Bad input to an activity: a bug, never retried. */
  invalidInput: 'InvalidInput',
  /**
   * BENIGN: the provider still shows the status the order holds. The server retries the poll after
   * the failure's nextRetryDelay (the phase cadence): that retry timer is the order's wait.
   */
  statusUnchanged: 'StatusUnchanged',
  /** BENIGN: the first attempt of a wait that must not ask yet (cadence, floor); it only schedules the first request. */
  pollScheduled: 'PollScheduled',
  /**
   * BENIGN: an order's watch found its poll group at work (workflows/group-wait.ts); the server
   * retries the watch after nextRetryDelay, so the watch costs the order's history nothing.
   */
  groupAtWork: 'GroupAtWork',
} as const;

export type ErrorTypeName = (typeof ErrorType)[keyof typeof ErrorType];

/** The errors the workflow answers by flagging the order for attention and re-checking slowly. */
export const ATTENTION_ERRORS: Record<string, string> = {
  [ErrorType.credentialsRefused]: 'credentials refused',
  [ErrorType.orderNotFound]: 'order not found at provider',
  [ErrorType.orderNotFoundYet]: 'order not found at provider',
  [ErrorType.requestRejected]: 'provider rejected the request',
};
