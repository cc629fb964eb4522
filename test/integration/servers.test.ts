/**
 * Our two Temporal servers (built from registries, docs/operations.md "Temporal servers") start, answer, carry the order
 * search attributes, and stop. Everything runs on 127.0.0.1 and free ports.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { registerSearchAttributes } from '../../common/register-search-attributes';
import { findFreePort } from '../../common/temporal-servers';
import { isPortFree, startDevServer } from '../../workers/dev-server';
import {
  ORDER_OUTCOME,
  ORDER_PROVIDER,
  ORDER_SEARCH_ATTRIBUTE_KEYS,
  ORDER_STATUS,
} from '../../workflows/search-attributes';
import { createDevEnvironment, createTimeSkippingEnvironment } from '../helpers/environments';

/** temporal.api.enums.v1.IndexedValueType: the order's attributes are Keywords, and OrderDeadline a Datetime. */
const INDEXED_VALUE_TYPE: Record<string, number> = { KEYWORD: 2, DATETIME: 6 };

/**
 * Starting a workflow with the attributes is the check that works on both servers: the server
 * rejects undefined search attributes, and the test server cannot list them. No worker is needed.
 */
async function expectSearchAttributesUsable(client: Client): Promise<void> {
  const handle = await client.workflow.start('trackOrder', {
    taskQueue: 'servers-test',
    workflowId: `servers-test-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    typedSearchAttributes: [
      { key: ORDER_PROVIDER, value: 'magma' },
      { key: ORDER_STATUS, value: 'CREATED' },
      { key: ORDER_OUTCOME, value: 'pending' },
    ],
  });
  try {
    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(ORDER_PROVIDER)).toBe('magma');
    expect(description.typedSearchAttributes.get(ORDER_OUTCOME)).toBe('pending');
  } finally {
    await handle.terminate('servers test done');
  }
}

async function expectListedWithTheirTypes(connection: Connection, namespace: string): Promise<void> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  for (const key of ORDER_SEARCH_ATTRIBUTE_KEYS) {
    expect([key.name, customAttributes?.[key.name]]).toEqual([key.name, INDEXED_VALUE_TYPE[key.type]]);
  }
}

describe('time-skipping test server environment', () => {
  let environment: TestWorkflowEnvironment;
  beforeAll(async () => {
    environment = await createTimeSkippingEnvironment();
  });
  afterAll(async () => {
    await environment?.teardown();
  });

  it('answers and has the search attributes registered, idempotently', async () => {
    const systemInfo = await environment.connection.workflowService.getSystemInfo({});
    expect(systemInfo.capabilities).toBeDefined();
    await registerSearchAttributes(environment.connection, 'default');
    await expectSearchAttributesUsable(environment.client);
  });
});

describe('dev server environment', () => {
  let environment: TestWorkflowEnvironment;
  beforeAll(async () => {
    environment = await createDevEnvironment();
  });
  afterAll(async () => {
    await environment?.teardown();
  });

  it('answers and has the search attributes registered, idempotently', async () => {
    const systemInfo = await environment.connection.workflowService.getSystemInfo({});
    expect(systemInfo.serverVersion).toBeTruthy();
    await registerSearchAttributes(environment.connection, 'default');
    await expectListedWithTheirTypes(environment.connection, 'default');
    await expectSearchAttributesUsable(environment.client);
  });
});

describe('startDevServer', () => {
  let dataDirectory: string;
  beforeAll(() => {
    dataDirectory = mkdtempSync(path.join(os.tmpdir(), 'order-tracker-servers-test-'));
  });
  afterAll(() => {
    rmSync(dataDirectory, { recursive: true, force: true });
  });

  it('serves gRPC and the UI, registers the search attributes, and keeps them across a restart', async () => {
    const namespace = 'order-tracker-test';
    const options = {
      dbFile: path.join(dataDirectory, 'nested', 'temporal.db'),
      port: await findFreePort(),
      uiPort: await findFreePort(),
      namespace,
    };
    for (const run of ['fresh database', 'existing database']) {
      const server = await startDevServer(options);
      const connection = await Connection.connect({ address: server.address });
      try {
        const ui = await fetch(server.uiUrl);
        expect({ run, status: ui.status }).toEqual({ run, status: 200 });
        await expectListedWithTheirTypes(connection, namespace);
        await expectSearchAttributesUsable(new Client({ connection, namespace }));
      } finally {
        await connection.close();
        await server.stop();
      }
      expect(await isPortFree(options.port)).toBe(true);
    }
  });

  it('refuses a taken port with a message naming it', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const takenPort = (blocker.address() as net.AddressInfo).port;
    try {
      const starting = startDevServer({
        dbFile: path.join(dataDirectory, 'unused.db'),
        port: takenPort,
        uiPort: await findFreePort(),
        namespace: 'default',
      });
      await expect(starting).rejects.toThrow(`port ${takenPort} (gRPC) on 127.0.0.1 is already in use`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
