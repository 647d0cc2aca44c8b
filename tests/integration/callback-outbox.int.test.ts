// Async-run callbacks are stored with the run and delivered from the database: after a restart (a
// callback nobody was waiting for in memory), by exactly one of several processes, only once the
// run has finished, and retried in later rounds until given up.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { config } from '@/server/config';
import { CallbackOutbox, callbackState, enqueueCallback } from '@/server/public-api/callback-outbox';
import { callbackSecret, verifySignature } from '@/server/public-api/callbacks';
import { testDatabases } from '../support/databases';
import { type EngineHarness, startEngineHarness, workflow } from '../support/engine-harness';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

describe.each(testDatabases())('callback outbox on $name', ({ open }) => {
  let database: Database;
  let h: EngineHarness;
  let receiver: Server;
  let url = '';
  let received: Received[] = [];
  let answer = 200;
  const outboxes: CallbackOutbox[] = [];
  const outbox = (roundPauseMs = 60_000) => {
    const o = new CallbackOutbox(database.db, {
      sweepMs: 60_000,
      roundPauseMs,
      delivery: { retryDelaysMs: [] },
    });
    outboxes.push(o);
    return o;
  };

  const quick = workflow(
    [
      { id: 'start', type: 'start', config: { inputs: [] } },
      { id: 'say', type: 'template', config: { template: 'done' } },
      { id: 'end', type: 'end', config: { outputs: { said: '{{say.text}}' } } },
    ],
    [
      ['start', 'say'],
      ['say', 'end'],
    ],
  );

  beforeAll(async () => {
    process.env.WEFT_HTTP_ALLOWLIST = '127.0.0.1';
    database = await open();
    h = await startEngineHarness(database);
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += String(d);
      });
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(answer).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  beforeEach(() => {
    received = [];
    answer = 200;
  });
  afterAll(async () => {
    await Promise.all(outboxes.map((o) => o.stop()));
    await h.close();
    await new Promise((resolve) => receiver.close(resolve));
    await database.close();
  });

  it('delivers a stored callback of a finished run once, signed, though two processes sweep', async () => {
    const runId = await h.start(quick);
    await h.waitFor(runId);
    const apiKeyId = randomUUID();
    // Stored while no outbox was running: as after a restart of the process that accepted the run.
    await enqueueCallback(database.db, { runId, workspaceId: h.owner.workspaceId, apiKeyId, url });
    const [a, b] = [outbox(), outbox()] as [CallbackOutbox, CallbackOutbox];
    a.kick();
    b.kick();
    await Promise.all([a.idle(), b.idle()]);

    expect(received).toHaveLength(1);
    const [delivery] = received as [Received];
    const state = await callbackState(database.db, runId);
    expect(state).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(delivery.headers['x-weft-delivery']).toBe(state?.deliveryId);
    const secret = callbackSecret(config().APP_SECRET, apiKeyId);
    const signature = String(delivery.headers['x-weft-signature']);
    expect(verifySignature(secret, signature, delivery.body)).toBe(true);
    expect(JSON.parse(delivery.body)).toMatchObject({
      event: 'workflow_finished',
      workflow_run_id: runId,
      data: { status: 'succeeded', outputs: { said: 'done' } },
    });
    // Nothing more to do on later sweeps.
    a.kick();
    await a.idle();
    expect(received).toHaveLength(1);
  });

  it('waits for the run to finish before delivering', async () => {
    const slow = workflow(
      [
        { id: 'start', type: 'start', config: { inputs: [] } },
        { id: 'wait', type: 'delay', config: { ms: 400 } },
        { id: 'end', type: 'end', config: { outputs: {} } },
      ],
      [
        ['start', 'wait'],
        ['wait', 'end'],
      ],
    );
    const runId = await h.start(slow);
    await enqueueCallback(database.db, {
      runId,
      workspaceId: h.owner.workspaceId,
      apiKeyId: randomUUID(),
      url,
    });
    const o = outbox();
    o.kick();
    await o.idle();
    expect(received).toHaveLength(0);
    expect(await callbackState(database.db, runId)).toMatchObject({ status: 'pending', attempts: 0 });
    await h.waitFor(runId);
    o.kick();
    await o.idle();
    expect(received).toHaveLength(1);
  });

  it('tries again in later rounds with the same delivery id, then marks the callback failed', async () => {
    answer = 500;
    const runId = await h.start(quick);
    await h.waitFor(runId);
    await enqueueCallback(database.db, {
      runId,
      workspaceId: h.owner.workspaceId,
      apiKeyId: randomUUID(),
      url,
    });
    const o = outbox(0);
    for (let round = 0; round < 5; round += 1) {
      o.kick();
      await o.idle();
    }
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.headers['x-weft-delivery'])).size).toBe(1);
    expect(await callbackState(database.db, runId)).toMatchObject({
      status: 'failed',
      attempts: 3,
      lastError: 'not delivered after 3 round(s)',
    });
  });
});
