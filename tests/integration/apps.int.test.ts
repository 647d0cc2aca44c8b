// Apps, drafts and versions against real databases: CRUD, conflict detection, bad input,
// immutability of published versions and restore.
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { appVersions, auditLog } from '@/db/schema';
import type { WorkflowDefinition } from '@/workflows/dsl/definition';
import { testDatabases } from '../support/databases';
import { errorCodeOf, errorOf, httpMutation, signUpUser } from '../support/trpc-harness';

function withNode(def: WorkflowDefinition, id: string): WorkflowDefinition {
  return {
    ...def,
    nodes: [...def.nodes, { id, type: 'template', title: id, config: {}, position: { x: 0, y: 200 } }],
  };
}

describe.each(testDatabases())('apps on $name', ({ open }) => {
  let database: Database;
  let owner: Awaited<ReturnType<typeof signUpUser>>;
  let ws: { workspaceId: string };
  beforeAll(async () => {
    database = await open();
    owner = await signUpUser(database.db, 'builder');
    ws = { workspaceId: owner.workspaceId };
  });
  afterAll(() => database.close());

  it('creates, lists, searches, renames, duplicates and deletes apps', async () => {
    const { caller } = owner;
    const chat = await caller.apps.create({ ...ws, name: 'Support bot', kind: 'chat' });
    const flow = await caller.apps.create({
      ...ws,
      name: '100% Report_flow',
      kind: 'workflow',
      description: 'daily',
    });
    expect(chat.icon).toBe('💬');

    const all = await caller.apps.list(ws);
    expect(all.map((a) => a.name)).toEqual(expect.arrayContaining(['Support bot', '100% Report_flow']));
    expect((await caller.apps.list({ ...ws, search: 'support' })).map((a) => a.id)).toEqual([chat.id]);
    // LIKE wildcards in the search text are literal characters.
    expect((await caller.apps.list({ ...ws, search: '100%' })).map((a) => a.id)).toEqual([flow.id]);
    expect(await caller.apps.list({ ...ws, search: '%' })).toHaveLength(1);

    const draft = await caller.apps.getDraft({ ...ws, appId: chat.id });
    expect(draft.revision).toBe(1);
    expect(draft.definition.nodes.map((n) => n.type)).toEqual(['start', 'answer']);

    await caller.apps.update({ ...ws, appId: chat.id, name: 'Helpdesk bot', icon: '🤖' });
    expect(await caller.apps.get({ ...ws, appId: chat.id })).toMatchObject({
      name: 'Helpdesk bot',
      icon: '🤖',
    });

    const copy = await caller.apps.duplicate({ ...ws, appId: flow.id });
    expect(copy).toMatchObject({ name: '100% Report_flow (copy)', kind: 'workflow', description: 'daily' });
    expect((await caller.apps.getDraft({ ...ws, appId: copy.id })).definition).toEqual(
      (await caller.apps.getDraft({ ...ws, appId: flow.id })).definition,
    );

    await caller.apps.delete({ ...ws, appId: copy.id });
    expect(await errorCodeOf(caller.apps.get({ ...ws, appId: copy.id }))).toBe('NOT_FOUND');
    const rows = await database.db.select().from(appVersions).where(eq(appVersions.appId, copy.id));
    expect(rows).toEqual([]);

    const actions = await database.db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(eq(auditLog.workspaceId, ws.workspaceId));
    expect(actions.map((a) => a.action)).toEqual(
      expect.arrayContaining(['app.create', 'app.update', 'app.delete']),
    );
  });

  it('saves the draft with a revision counter and refuses a stale save with CONFLICT', async () => {
    const { caller } = owner;
    const app = await caller.apps.create({ ...ws, name: 'Drafty', kind: 'workflow' });
    const draft = await caller.apps.getDraft({ ...ws, appId: app.id });
    const saved = await caller.apps.saveDraft({
      ...ws,
      appId: app.id,
      baseRevision: draft.revision,
      definition: withNode(draft.definition, 'tab_one'),
    });
    expect(saved.revision).toBe(2);

    // A second tab still holding revision 1 must not overwrite the first tab's save.
    const stale = await errorOf(
      caller.apps.saveDraft({
        ...ws,
        appId: app.id,
        baseRevision: draft.revision,
        definition: withNode(draft.definition, 'tab_two'),
      }),
    );
    expect(stale.code).toBe('CONFLICT');
    expect(stale.message).toMatch(/revision 2/);
    const current = await caller.apps.getDraft({ ...ws, appId: app.id });
    expect(current.revision).toBe(2);
    expect(current.definition.nodes.map((n) => n.id)).toContain('tab_one');
    expect(current.definition.nodes.map((n) => n.id)).not.toContain('tab_two');
  });

  it('refuses a draft of invalid shape with BAD_REQUEST naming the path, and changes nothing', async () => {
    const { caller, token } = owner;
    const app = await caller.apps.create({ ...ws, name: 'Strict', kind: 'workflow' });
    const before = await caller.apps.getDraft({ ...ws, appId: app.id });
    const broken = {
      ...before.definition,
      nodes: [
        before.definition.nodes[0],
        { id: '1bad id', type: 'x', title: 't', config: {}, position: { x: 0 } },
      ],
    };
    const res = await httpMutation(
      database.db,
      'apps.saveDraft',
      { ...ws, appId: app.id, baseRevision: before.revision, definition: broken },
      token,
    );
    expect(res.status).toBe(400);
    expect(res.error?.data.code).toBe('BAD_REQUEST');
    expect(res.error?.data.field).toBe('definition.nodes.1.id');
    expect(res.error?.message).toContain('definition.nodes.1.position.y');

    const duplicateIds = {
      ...before.definition,
      nodes: [before.definition.nodes[0], before.definition.nodes[0]],
    };
    const dup = await httpMutation(
      database.db,
      'apps.saveDraft',
      { ...ws, appId: app.id, baseRevision: before.revision, definition: duplicateIds },
      token,
    );
    expect(dup.status).toBe(400);
    expect(dup.error?.data.field).toBe('definition.nodes.1.id');
    expect(dup.error?.message).toMatch(/duplicate node id "start"/);

    const after = await caller.apps.getDraft({ ...ws, appId: app.id });
    expect(after).toEqual(before);

    const badName = await httpMutation(
      database.db,
      'apps.create',
      { ...ws, name: '   ', kind: 'chat' },
      token,
    );
    expect(badName.status).toBe(400);
    expect(badName.error?.data.field).toBe('name');
  });

  it('publishes immutable numbered versions and restores one into the draft', async () => {
    const { caller } = owner;
    const app = await caller.apps.create({ ...ws, name: 'Versioned', kind: 'workflow' });
    const draft = await caller.apps.getDraft({ ...ws, appId: app.id });
    const v1 = await caller.apps.publish({ ...ws, appId: app.id, note: 'first' });
    expect(v1.versionNumber).toBe(1);

    const edited = withNode(draft.definition, 'later');
    await caller.apps.saveDraft({ ...ws, appId: app.id, baseRevision: draft.revision, definition: edited });
    const v2 = await caller.apps.publish({ ...ws, appId: app.id });
    expect(v2.versionNumber).toBe(2);
    expect((await caller.apps.list(ws)).find((a) => a.id === app.id)?.latestVersion).toBe(2);

    // Later draft edits leave published versions as they were.
    const published1 = await caller.apps.getVersion({ ...ws, appId: app.id, versionId: v1.id });
    expect(published1.definition).toEqual(draft.definition);
    expect(published1.note).toBe('first');

    // The database itself refuses to change a published version.
    await expect(
      database.db.update(appVersions).set({ definition: edited }).where(eq(appVersions.id, v1.id)),
    ).rejects.toThrow();
    const [row] = await database.db
      .select({ definition: appVersions.definition })
      .from(appVersions)
      .where(eq(appVersions.id, v1.id));
    expect(row?.definition).toEqual(draft.definition);

    const beforeRestore = await caller.apps.getDraft({ ...ws, appId: app.id });
    const restored = await caller.apps.restoreVersion({ ...ws, appId: app.id, versionId: v1.id });
    expect(restored).toEqual({ revision: beforeRestore.revision + 1, versionNumber: 1 });
    const afterRestore = await caller.apps.getDraft({ ...ws, appId: app.id });
    expect(afterRestore.definition).toEqual(draft.definition);
    expect((await caller.apps.versions({ ...ws, appId: app.id })).map((v) => v.versionNumber)).toEqual([
      2, 1,
    ]);

    // Restoring bumps the revision, so a tab still editing the old draft is told about it.
    expect(
      await errorCodeOf(
        caller.apps.saveDraft({
          ...ws,
          appId: app.id,
          baseRevision: beforeRestore.revision,
          definition: edited,
        }),
      ),
    ).toBe('CONFLICT');
  });

  it('numbers concurrent publishes without gaps or duplicates', async () => {
    const { caller } = owner;
    const app = await caller.apps.create({ ...ws, name: 'Busy', kind: 'workflow' });
    const results = await Promise.all(
      Array.from({ length: 4 }, () => caller.apps.publish({ ...ws, appId: app.id })),
    );
    expect(results.map((r) => r.versionNumber).sort()).toEqual([1, 2, 3, 4]);
    const [countRow] = await database.db
      .select({ n: count() })
      .from(appVersions)
      .where(and(eq(appVersions.appId, app.id), eq(appVersions.isDraft, false)));
    expect(countRow?.n).toBe(4);
  });
});
