// Crash safety: the only worker, a separate process, is SIGKILLed in the middle of a run whose nodes
// call a counting HTTP server; a new worker process finishes the run. Every node that completed
// before the kill ran exactly once; only the node in flight may run again, with the same
// idempotency key. Temporal's replacement picks the activity up after its heartbeat timeout.
import { Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import {
  conformanceEngines,
  type EngineUnderTest,
  engineSuite,
  FINISHED,
  type WorkerProcess,
} from '../support/conformance-engines';
import { workflow } from '../support/engine-harness';

const NODES = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6'];

/** Resolves with `promise`, or rejects when the worker exits first or `ms` pass. */
function guarded<T>(worker: WorkerProcess, promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    worker.exited.then((code) => {
      throw new Error(`worker exited (${code}) before ${what}:\n${worker.output()}`);
    }),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out before ${what}:\n${worker.output()}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** What the engine knows about a run that did not finish: its steps, events and, on Temporal, its workflow. */
async function diagnose(engine: EngineUnderTest, runId: string, workers: WorkerProcess[]): Promise<string> {
  const steps = (await engine.steps(runId)).map((s) => `${s.stepKey}=${s.status}`).join(' ');
  const events = (await engine.events(runId)).map(
    (e) => `${e.seq}:${e.type}${e.nodeId ? `(${e.nodeId})` : ''}`,
  );
  let workflow = '';
  const temporal = engine.runtime.temporal;
  if (temporal) {
    const client = new Client({ connection: temporal.connection, namespace: temporal.settings.namespace });
    const handle = client.workflow.getHandle(runId);
    const described = await handle.describe();
    const pending = described.raw.pendingActivities?.map((a) => ({
      activityId: a.activityId,
      state: a.state,
      attempt: a.attempt,
      lastFailure: a.lastFailure?.message,
      lastWorker: a.lastWorkerIdentity,
    }));
    const history = await handle.fetchHistory();
    const kinds = history.events?.map(
      (e) => Object.entries(e).find(([k, v]) => k.endsWith('Attributes') && v)?.[0] ?? '?',
    );
    workflow = `\nworkflow ${described.status.name}, pending activities ${JSON.stringify(pending)}\nhistory ${kinds?.join(' ')}`;
  }
  return `steps ${steps}\nevents ${events.join(' ')}${workflow}\n${workers
    .map((w, i) => `--- worker ${i + 1} ---\n${w.output()}`)
    .join('\n')}`;
}

describe.each(conformanceEngines())('worker crash on $name', ({ name }) => {
  const suite = engineSuite(name, { inProcessWorker: false, api: { delayMs: 250 } });
  const spawnWorker = () => suite.engine.spawnWorker();

  it('a SIGKILLed worker loses nothing: a new worker finishes without repeating finished nodes', async () => {
    const prefix = '/crash';
    const definition = workflow(
      [
        { id: 'start', type: 'start', config: { inputs: [] } },
        ...NODES.map((id) => ({ id, type: 'http', config: { url: `${suite.api.url}${prefix}/${id}` } })),
        {
          id: 'end',
          type: 'end',
          config: { outputs: { first: '{{n1.body.path}}', last: '{{n6.body.path}}' } },
        },
      ],
      [
        ['start', 'n1'],
        ...NODES.slice(1).map((id, i): [string, string] => [NODES[i] as string, id]),
        ['n6', 'end'],
      ],
    );
    // No worker yet: the run waits.
    const runId = await suite.engine.start(definition);
    expect((await suite.engine.waitFor(runId, ['queued', 'running'])).status).toMatch(/queued|running/);

    const first = spawnWorker();
    await guarded(first, first.ready, 60_000, 'it was ready');
    // n3 requested: n1 and n2 have completed, n3 is in flight (its answer takes 250 ms).
    await guarded(first, suite.api.reached(`${prefix}/n3`), 30_000, 'n3 was requested');
    process.kill(-(first.child.pid as number), 'SIGKILL');
    await first.exited;
    const killedAt = Date.now();

    const completedAtKill = (await suite.engine.steps(runId))
      .filter((s) => s.status === 'succeeded' && NODES.includes(s.nodeId))
      .map((s) => s.nodeId);
    expect(completedAtKill).toEqual(expect.arrayContaining(['n1', 'n2']));
    expect(completedAtKill.length).toBeGreaterThanOrEqual(2);
    const countsAtKill = Object.fromEntries(NODES.map((id) => [id, suite.api.counts(`${prefix}/${id}`)]));
    expect(countsAtKill).toMatchObject({ n1: 1, n2: 1, n3: 1 });
    const inFlightAtKill = NODES.filter((id) => countsAtKill[id] === 1 && !completedAtKill.includes(id));
    expect(inFlightAtKill.length).toBeLessThanOrEqual(1);
    // Nothing is done while no worker runs.
    expect((await suite.engine.waitFor(runId, ['queued', 'running'])).status).toMatch(/queued|running/);

    const second = spawnWorker();
    await guarded(second, second.ready, 60_000, 'the second worker was ready');
    const run = await guarded(
      second,
      suite.engine.waitFor(runId, FINISHED, 75_000).catch(async (error: Error) => {
        throw new Error(`${error.message}\n${await diagnose(suite.engine, runId, [first, second])}`);
      }),
      80_000,
      'the run finished',
    );
    const recoveredInMs = Date.now() - killedAt;
    expect(run.status, second.output()).toBe('succeeded');
    expect(run.outputs).toEqual({ first: `${prefix}/n1`, last: `${prefix}/n6` });

    for (const id of NODES) {
      const path = `${prefix}/${id}`;
      const count = suite.api.counts(path);
      if (completedAtKill.includes(id) || !inFlightAtKill.includes(id)) expect(count, id).toBe(1);
      else {
        expect(count, id).toBeGreaterThanOrEqual(1);
        expect(count, id).toBeLessThanOrEqual(2);
      }
      // One key per step, the same on a repeat: the remote side can drop the duplicate.
      expect(new Set(suite.api.idempotencyKeys(path)), id).toEqual(new Set([`${runId}:${id}`]));
      expect(suite.api.idempotencyKeys(path)).toHaveLength(count);
    }

    const steps = await suite.engine.steps(runId);
    for (const id of NODES)
      expect(
        steps.filter((s) => s.nodeId === id && s.status === 'succeeded'),
        id,
      ).toHaveLength(1);
    const events = await suite.engine.events(runId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === 'run_finished')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'run_finished', data: { status: 'succeeded' } });
    for (const id of NODES)
      expect(
        events.filter((e) => e.type === 'node_finished' && e.nodeId === id),
        id,
      ).toHaveLength(1);
    console.log(
      `[worker-crash on ${name}] in flight at kill: ${inFlightAtKill.join(',') || 'none'} ` +
        `(hits ${inFlightAtKill.map((id) => suite.api.counts(`${prefix}/${id}`)).join(',') || '-'}), ` +
        `recovered in ${recoveredInMs} ms`,
    );

    // Leave no worker behind.
    process.kill(-(second.child.pid as number), 'SIGKILL');
    await second.exited;
  }, 180_000);
});
