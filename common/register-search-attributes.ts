/**
 * Registers the order search attributes on a Temporal server, idempotently.
 *
 * Why at start-up rather than with the dev server's `--search-attribute` flag: that flag only
 * applies when its database is first created, and the time-skipping test server has no such flag.
 *
 * The two servers differ (checked against CLI 1.5.1 / server 1.29.1 and test server 1.38.0):
 * - Dev server: the operator service implements `listSearchAttributes` and `addSearchAttributes`
 *   (per namespace); adding a name that exists fails with ALREADY_EXISTS.
 * - Java test server: its operator service implements `addSearchAttributes` (ignoring the namespace)
 *   but not `listSearchAttributes`, which answers UNIMPLEMENTED. Its add rejects the whole request
 *   with ALREADY_EXISTS when any name in it exists, so there we add one name per request.
 */
import type { Connection } from '@temporalio/client';
import { isGrpcServiceError } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import {
  encodeSearchAttributeIndexedValueType,
  type SearchAttributeKey,
} from '@temporalio/common/lib/search-attributes';
import { ORDER_SEARCH_ATTRIBUTE_KEYS } from '../workflows/search-attributes';

/** gRPC status codes (numbers from the gRPC spec; @grpc/grpc-js is not our direct dependency). */
const GrpcStatus = {
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  UNIMPLEMENTED: 12,
  UNAVAILABLE: 14,
} as const;

/** A server that is still starting answers UNAVAILABLE, or NOT_FOUND before its namespace exists. */
const STARTING_UP_CODES: readonly number[] = [GrpcStatus.UNAVAILABLE, GrpcStatus.DEADLINE_EXCEEDED, GrpcStatus.NOT_FOUND];
const STARTUP_GRACE_MS = 15_000;

type AnySearchAttributeKey = SearchAttributeKey<SearchAttributeType>;

export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  await retryWhileStarting(() => registerOnce(connection, namespace, ORDER_SEARCH_ATTRIBUTE_KEYS));
}

async function registerOnce(
  connection: Connection,
  namespace: string,
  keys: readonly AnySearchAttributeKey[],
): Promise<void> {
  const registered = await listRegistered(connection, namespace);
  if (registered === undefined) {
    // Test server: nothing to list, so add each name and let ALREADY_EXISTS mean "done".
    for (const key of keys) await addIgnoringExisting(connection, namespace, [key]);
    return;
  }
  const missing: AnySearchAttributeKey[] = [];
  for (const key of keys) {
    const registeredType = registered[key.name];
    if (registeredType === undefined) missing.push(key);
    else if (registeredType !== indexedValueType(key)) {
      throw new Error(
        `Search attribute ${key.name} is registered in namespace ${namespace} with another type ` +
          `(indexed value type ${registeredType}); it must be ${key.type}`,
      );
    }
  }
  // A concurrent starter may add the same names between our list and add: that is fine too.
  if (missing.length > 0) await addIgnoringExisting(connection, namespace, missing);
}

/** The custom attributes by name and indexed value type, or undefined if the server cannot list. */
async function listRegistered(connection: Connection, namespace: string): Promise<Record<string, number> | undefined> {
  try {
    const response = await connection.operatorService.listSearchAttributes({ namespace });
    return response.customAttributes ?? {};
  } catch (error) {
    if (isGrpcServiceError(error) && error.code === GrpcStatus.UNIMPLEMENTED) return undefined;
    throw error;
  }
}

async function addIgnoringExisting(
  connection: Connection,
  namespace: string,
  keys: readonly AnySearchAttributeKey[],
): Promise<void> {
  const searchAttributes = Object.fromEntries(keys.map((key) => [key.name, indexedValueType(key)]));
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
  } catch (error) {
    if (isGrpcServiceError(error) && error.code === GrpcStatus.ALREADY_EXISTS) return;
    throw error;
  }
}

function indexedValueType(key: AnySearchAttributeKey): number {
  const encoded = encodeSearchAttributeIndexedValueType(key.type);
  if (encoded === undefined) throw new Error(`No indexed value type for search attribute type ${key.type}`);
  return encoded;
}

async function retryWhileStarting(attempt: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + STARTUP_GRACE_MS;
  for (let delayMs = 100; ; delayMs = Math.min(delayMs * 2, 1_000)) {
    try {
      return await attempt();
    } catch (error) {
      const starting = isGrpcServiceError(error) && STARTING_UP_CODES.includes(error.code);
      if (!starting || Date.now() + delayMs > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
