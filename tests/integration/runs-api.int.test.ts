// The runs API through tRPC: an invalid definition or bad inputs are refused with every problem
// and write no run; a run is readable per node; lists paginate; signals to unknown runs fail clearly.
import { randomUUID } from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { runs } from '@/db/schema';
import { testDatabases } from '../support/databases';
import { studioEngineSuite } from '../support/studio-engine-suite';
import { errorOf, httpMutation } from '../support/trpc-harness';

describe.each(testDatabases())('runs API on $name', ({ open }) => {
  const suite = studioEngineSuite(open, 'runner');
  const runCount = async () => (await suite.database.db.select({ n: count() }).from(runs))[0]?.n;

  it('refuses an invalid definition with every problem, and writes no run', async () => {
    const app = await suite.owner.caller.apps.create({ ...suite.ws, name: 'Broken', kind: 'workflow' });
    const draft = await suite.owner.caller.apps.getDraft({ ...suite.ws, appId: app.id });
    const definition = {
      ...draft.definition,
      nodes: [
        ...draft.definition.nodes,
        { id: 'mystery', type: 'no-such-type', title: 'x', config: {}, position: { x: 0, y: 0 } },
        {
          id: 'greet',
          type: 'template',
          title: 'g',
          config: { template: '{{later.text}}' },
          position: { x: 0, y: 0 },
        },
        { id: 'later', type: 'template', title: 'l', config: { template: 'hi' }, position: { x: 0, y: 0 } },
      ],
      edges: [
        ...draft.definition.edges,
        { id: 'dangling', source: 'start', sourceHandle: null, target: 'ghost', targetHandle: null },
        { id: 'g1', source: 'start', sourceHandle: null, target: 'greet', targetHandle: null },
        { id: 'g2', source: 'greet', sourceHandle: null, target: 'later', targetHandle: null },
      ],
    };
    await suite.owner.caller.apps.saveDraft({
      ...suite.ws,
      appId: app.id,
      baseRevision: draft.revision,
      definition,
    });
    const before = await runCount();
    const res = await httpMutation(
      suite.database.db,
      'runs.start',
      { ...suite.ws, appId: app.id, inputs: {} },
      suite.owner.token,
    );
    expect(res.status).toBe(400);
    const data = res.error?.data as unknown as
      | { problems: { message: string; nodeId?: string }[] }
      | undefined;
    const problems = data?.problems ?? [];
    expect(problems.length).toBeGreaterThanOrEqual(3);
    expect(problems.map((p) => p.nodeId)).toEqual(expect.arrayContaining(['mystery', 'greet']));
    expect(res.error?.message).toMatch(/no-such-type/);
    expect(res.error?.message).toMatch(/ghost/);
    expect(await runCount()).toBe(before);
  });

  it('refuses missing or mistyped inputs naming the field, and writes no run', async () => {
    const app = await suite.owner.caller.apps.create({ ...suite.ws, name: 'Chat', kind: 'chat' });
    const before = await runCount();
    const missing = await errorOf(suite.owner.caller.runs.start({ ...suite.ws, appId: app.id, inputs: {} }));
    expect(missing.code).toBe('BAD_REQUEST');
    expect(missing.message).toMatch(/inputs\.query/);
    const res = await httpMutation(
      suite.database.db,
      'runs.start',
      { ...suite.ws, appId: app.id, inputs: { query: 5, extra: 1 } },
      suite.owner.token,
    );
    expect(res.status).toBe(400);
    expect(res.error?.data.field).toMatch(/^inputs\./);
    expect(await runCount()).toBe(before);
  });

  it('runs the draft and a published version, reads per-node detail and pages the list', async () => {
    const app = await suite.owner.caller.apps.create({ ...suite.ws, name: 'Echo', kind: 'chat' });
    const version = await suite.owner.caller.apps.publish({ ...suite.ws, appId: app.id, note: 'v1' });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(
        (await suite.owner.caller.runs.start({ ...suite.ws, appId: app.id, inputs: { query: `q${i}` } }))
          .runId,
      );
    ids.push(
      (
        await suite.owner.caller.runs.start({
          ...suite.ws,
          appId: app.id,
          versionId: version.id,
          inputs: { query: 'v' },
        })
      ).runId,
    );
    for (const id of ids) await suite.h.waitFor(id);
    const run = await suite.owner.caller.runs.get({ ...suite.ws, runId: ids[3] as string });
    expect(run).toMatchObject({ status: 'succeeded', versionNumber: 1, outputs: { answer: 'v' } });
    expect(run.nodes.answer).toMatchObject({ status: 'succeeded', attempts: 1, output: { answer: 'v' } });
    expect(run.nodes.start?.output).toEqual({ query: 'v' });

    const first = await suite.owner.caller.runs.list({ ...suite.ws, appId: app.id, limit: 3 });
    expect(first.runs).toHaveLength(3);
    expect(first.nextCursor).not.toBeNull();
    const second = await suite.owner.caller.runs.list({
      ...suite.ws,
      appId: app.id,
      limit: 3,
      cursor: first.nextCursor ?? undefined,
    });
    expect([...first.runs, ...second.runs].map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(
      (await suite.owner.caller.runs.list({ ...suite.ws, appId: app.id, statuses: ['failed'], limit: 10 }))
        .runs,
    ).toEqual([]);
  });

  it('signalling an unknown or finished run, or cancelling a finished one, fails clearly', async () => {
    const unknown = await errorOf(
      suite.owner.caller.runs.signal({
        ...suite.ws,
        runId: randomUUID(),
        name: 'review:x',
        payload: { decision: 'approve' },
      }),
    );
    expect(unknown.code).toBe('NOT_FOUND');
    const app = await suite.owner.caller.apps.create({ ...suite.ws, name: 'Done', kind: 'chat' });
    const { runId } = await suite.owner.caller.runs.start({
      ...suite.ws,
      appId: app.id,
      inputs: { query: 'x' },
    });
    await suite.h.waitFor(runId);
    const finished = await errorOf(
      suite.owner.caller.runs.signal({
        ...suite.ws,
        runId,
        name: 'review:x',
        payload: { decision: 'approve' },
      }),
    );
    expect(finished.code).toBe('CONFLICT');
    expect(finished.message).toMatch(/already finished \(succeeded\)/);
    expect((await errorOf(suite.owner.caller.runs.cancel({ ...suite.ws, runId }))).code).toBe('CONFLICT');
    const [row] = await suite.database.db
      .select({ status: runs.status })
      .from(runs)
      .where(eq(runs.id, runId));
    expect(row?.status).toBe('succeeded');
  });
});
