// The Temporal dev server started by the conformance set-up answers a client on the address it
// provides, and its `default` namespace exists.
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, inject, it } from 'vitest';

const temporalAddress = inject('temporalAddress');

describe('Temporal dev server of the conformance tier', () => {
  let connection: Connection | undefined;
  afterAll(async () => {
    await connection?.close();
  });

  it.skipIf(temporalAddress === null)('serves the default namespace', async () => {
    connection = await Connection.connect({ address: temporalAddress ?? '' });
    const client = new Client({ connection, namespace: 'default' });
    const info = await client.workflowService.getSystemInfo({});
    expect(info.serverVersion).toMatch(/^\d+\.\d+/);
    const described = await client.workflowService.describeNamespace({ namespace: 'default' });
    expect(described.namespaceInfo?.name).toBe('default');
  });

  it('is given a PostgreSQL URL', () => {
    expect(inject('postgresUrl')).toMatch(/^postgres:\/\/.+@127\.0\.0\.1:\d+\//);
  });
});
