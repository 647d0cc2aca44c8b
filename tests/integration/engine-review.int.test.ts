// Human review on the embedded engine: a paused run holds no worker, survives a restart, resumes
// from a decision sent through the studio API without re-running earlier nodes, and takes the
// timeout branch when its deadline passes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@/db/client';
import { type CountingServer, startCountingServer } from '../support/counting-server';
import { testDatabases } from '../support/databases';
import { startEngineHarness, workflow } from '../support/engine-harness';
import { errorOf, registerEngine, signUpUser } from '../support/trpc-harness';

describe.each(testDatabases())('human review on $name', (testDb) => {
  let api: CountingServer;
  beforeAll(async () => {
    process.env.WEFT_HTTP_ALLOWLIST = '127.0.0.1';
    api = await startCountingServer();
  });
  afterAll(() => api.close());

  const reviewFlow = (deadlineMs?: number) =>
    workflow(
      [
        { id: 'start', type: 'start', config: { inputs: [{ name: 'draft', type: 'string' }] } },
        { id: 'before', type: 'http', config: { url: `${api.url}/review/before` } },
        {
          id: 'review',
          type: 'human-review',
          config: {
            instructions: 'Check the draft',
            data: { text: '{{start.draft}}' },
            ...(deadlineMs ? { deadlineMs } : {}),
          },
        },
        { id: 'after', type: 'http', config: { url: `${api.url}/review/after` } },
        { id: 'rejected', type: 'template', config: { template: 'rejected: {{review.comment}}' } },
        ...(deadlineMs ? [{ id: 'late', type: 'template', config: { template: 'nobody answered' } }] : []),
        {
          id: 'pick',
          type: 'join',
          // Skipped branches resolve to null; the first non-null value is the branch taken.
          config: {
            mode: 'first',
            values: {
              late: deadlineMs ? '{{late.text}}' : null,
              no: '{{rejected.text}}',
              ok: '{{review.data.text}}',
            },
          },
        },
        {
          id: 'end',
          type: 'end',
          config: { outputs: { result: '{{pick.value}}', decision: '{{review.decision}}' } },
        },
      ],
      [
        ['start', 'before'],
        ['before', 'review'],
        ['review', 'after', 'approved'],
        ['review', 'rejected', 'rejected'],
        ...(deadlineMs
          ? ([
              ['review', 'late', 'timeout'],
              ['late', 'pick'],
            ] as [string, string, string?][])
          : []),
        ['after', 'pick'],
        ['rejected', 'pick'],
        ['pick', 'end'],
      ],
    );

  it('pauses, survives a restart, and resumes from an edit decision without re-running earlier nodes', async () => {
    const target = await testDb.target();
    let database = await openDatabase(target);
    let h = await startEngineHarness(database);
    const runId = await h.start(reviewFlow(), { draft: 'first draft' });
    await h.waitFor(runId, ['paused']);
    expect(h.worker.activeRuns).toBe(0);
    const paused = await h.events(runId);
    expect(paused.map((e) => e.type)).toContain('review_requested');
    expect(paused.at(-1)).toMatchObject({ type: 'paused', data: { waitingFor: ['review:review'] } });
    const owner = h.owner;
    await h.close();
    await database.close();

    // A new process: open the same database, start a worker, decide through the studio API.
    database = await openDatabase(target);
    h = await startEngineHarness(database);
    registerEngine(database.db, h.runtime.engine);
    const reviewer = await signUpUser(database.db, 'reviewer');
    const ws = owner.workspaceId;
    // The reviewer belongs to another workspace: the run is invisible to them.
    expect(
      (
        await errorOf(
          reviewer.caller.runs.signal({
            workspaceId: reviewer.workspaceId,
            runId,
            name: 'review:review',
            payload: { decision: 'approve' },
          }),
        )
      ).code,
    ).toBe('NOT_FOUND');
    const { token } = await ownerCaller(database, owner.userId, ws);
    const memberOfWs = await signUpUser(database.db, 'member', token);
    const badDecision = await errorOf(
      memberOfWs.caller.runs.signal({
        workspaceId: ws,
        runId,
        name: 'review:review',
        payload: { decision: 'maybe' },
      }),
    );
    expect(badDecision.code).toBe('BAD_REQUEST');
    await memberOfWs.caller.runs.signal({
      workspaceId: ws,
      runId,
      name: 'review:review',
      payload: { decision: 'edit', data: { text: 'edited draft' }, comment: 'tightened', reviewer: 'member' },
    });
    const run = await h.waitFor(runId);
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({ result: 'edited draft', decision: 'edit' });
    expect(api.counts('/review/before')).toBe(1);
    expect(api.counts('/review/after')).toBe(1);
    const events = await h.events(runId);
    expect(events.map((e) => e.type)).toContain('run_resumed');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));

    // A decided, finished run cannot be signalled again.
    const again = await errorOf(
      memberOfWs.caller.runs.signal({
        workspaceId: ws,
        runId,
        name: 'review:review',
        payload: { decision: 'approve' },
      }),
    );
    expect(again.code).toBe('CONFLICT');
    expect(again.message).toMatch(/^Already decided by member at .* \(edit\)$/);
    await h.close();
    await database.close();
  });

  it('takes the timeout branch when the deadline passes (in memory and after suspending)', async () => {
    const database = await testDb.open();
    const h = await startEngineHarness(database, { inMemoryWaitMs: 1500 });
    try {
      const shortRun = await h.start(reviewFlow(1000), { draft: 'x' });
      const longRun = await h.start(reviewFlow(2500), { draft: 'y' });
      // The long deadline is past the worker's patience: the run is handed back, paused, until due.
      await h.waitFor(longRun, ['paused']);
      const [short, long] = [await h.waitFor(shortRun), await h.waitFor(longRun)];
      expect(short.outputs).toEqual({ result: 'nobody answered', decision: 'timeout' });
      expect(long.outputs).toEqual({ result: 'nobody answered', decision: 'timeout' });
    } finally {
      await h.close();
      await database.close();
    }
  });
});

/** An owner's invitation token for the workspace, so a second user can join it as reviewer. */
async function ownerCaller(
  database: Awaited<ReturnType<typeof openDatabase>>,
  userId: string,
  workspaceId: string,
) {
  const { createInvitation } = await import('@/server/services/workspace-service');
  return createInvitation(database.db, userId, workspaceId, { role: 'reviewer' });
}
