/**
 * The order's custom search attributes, shared by the workflow (which upserts them), the
 * client (which lists by them) and the start-up code that registers them on the server.
 * Workflow code imports this file, so it may only import from `@temporalio/common`.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const ORDER_PROVIDER = defineSearchAttributeKey('OrderProvider', SearchAttributeType.KEYWORD);
export const ORDER_STATUS = defineSearchAttributeKey('OrderStatus', SearchAttributeType.KEYWORD);
export const ORDER_OUTCOME = defineSearchAttributeKey('OrderOutcome', SearchAttributeType.KEYWORD);
/**
 * When the order's max wait ends, as the client that started it computed it (Datetime). Set at start
 * and carried by continue-as-new; a later `track` that moves the deadline does not change it, so the
 * watcher that counts overdue orders asks the order itself before it counts one (workers/order-watch.ts).
 */
export const ORDER_DEADLINE = defineSearchAttributeKey('OrderDeadline', SearchAttributeType.DATETIME);

export const ORDER_SEARCH_ATTRIBUTE_KEYS = [ORDER_PROVIDER, ORDER_STATUS, ORDER_OUTCOME, ORDER_DEADLINE] as const;

export const ORDER_SEARCH_ATTRIBUTE_NAMES: readonly string[] = ORDER_SEARCH_ATTRIBUTE_KEYS.map((key) => key.name);
