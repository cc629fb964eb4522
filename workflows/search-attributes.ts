/**
 * The order's custom search attributes (Keyword), shared by the workflow (which upserts them), the
 * client (which lists by them) and the start-up code that registers them on the server.
 * Workflow code imports this file, so it may only import from `@temporalio/common`.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const ORDER_PROVIDER = defineSearchAttributeKey('OrderProvider', SearchAttributeType.KEYWORD);
export const ORDER_STATUS = defineSearchAttributeKey('OrderStatus', SearchAttributeType.KEYWORD);
export const ORDER_OUTCOME = defineSearchAttributeKey('OrderOutcome', SearchAttributeType.KEYWORD);

export const ORDER_SEARCH_ATTRIBUTE_KEYS = [ORDER_PROVIDER, ORDER_STATUS, ORDER_OUTCOME] as const;

export const ORDER_SEARCH_ATTRIBUTE_NAMES: readonly string[] = ORDER_SEARCH_ATTRIBUTE_KEYS.map((key) => key.name);
