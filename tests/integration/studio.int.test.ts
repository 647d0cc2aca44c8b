// The studio API against real databases: the node palette's default configs validate in a graph,
// templates become apps whose draft is the template, exports import back as the same app (JSON and
// YAML), a malformed file is refused with its problems and creates nothing, version changes, and
// who may import.
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { apps, auditLog } from '@/db/schema';
import { getTemplate } from '@/server/services/template-service';
import type { WorkflowDefinition, WorkflowEdge, WorkflowNode } from '@/workflows/dsl/definition';
import { validateDefinition } from '@/workflows/dsl/validate';
import { nodeCatalog } from '@/workflows/nodes';
import { testDatabases } from '../support/databases';
import { errorCodeOf, errorOf, httpMutation, signUpUser } from '../support/trpc-harness';

/** start → the node (every output handle) → end, as a builder would wire a node fresh from the palette. */
function around(type: string, config: Record<string, unknown>): WorkflowDefinition {
  const spec = nodeCatalog[type];
  if (!spec) throw new Error(`no spec for ${type}`);
  const node = (id: string, t: string, c: Record<string, unknown>, x: number): WorkflowNode => ({
    id,
    type: t,
    title: id,
    config: c,
    position: { x, y: 0 },
  });
  if (type === 'start')
    return {
      schemaVersion: 1,
      nodes: [node('start', 'start', config, 0), node('end', 'end', {}, 300)],
      edges: [{ id: 'e', source: 'start', sourceHandle: null, target: 'end', targetHandle: null }],
    };
  if (type === 'end')
    return {
      schemaVersion: 1,
      nodes: [node('start', 'start', {}, 0), node('end', 'end', config, 300)],
      edges: [{ id: 'e', source: 'start', sourceHandle: null, target: 'end', targetHandle: null }],
    };
  const parsed = spec.configSchema.parse(config);
  const edges: WorkflowEdge[] = [
    {
      id: 'in',
      source: 'start',
      sourceHandle: null,
      target: 'x',
      targetHandle: spec.inputHandles(parsed)[0] ?? null,
    },
    ...spec.outputHandles(parsed).map((handle, i) => ({
      id: `out${i}`,
      source: 'x',
      sourceHandle: handle,
      target: 'end',
      targetHandle: null,
    })),
  ];
  return {
    schemaVersion: 1,
    nodes: [node('start', 'start', {}, 0), node('x', type, config, 300), node('end', 'end', {}, 600)],
    edges,
  };
}

describe.each(testDatabases())('studio on $name', ({ open }) => {
  let database: Database;
  let owner: Awaited<ReturnType<typeof signUpUser>>;
  let viewer: Awaited<ReturnType<typeof signUpUser>>;
  let ws: { workspaceId: string };

  const appCount = async () => {
    const [row] = await database.db
      .select({ n: count() })
      .from(apps)
      .where(eq(apps.workspaceId, ws.workspaceId));
    return row?.n ?? 0;
  };

  beforeAll(async () => {
    database = await open();
    owner = await signUpUser(database.db, 'studio-owner');
    ws = { workspaceId: owner.workspaceId };
    const { token } = await owner.caller.workspace.invite({ ...ws, role: 'viewer' });
    viewer = await signUpUser(database.db, 'studio-viewer', token);
  });
  afterAll(() => database.close());

  it('offers every node type with a default config that validates once wired into a workflow', async () => {
    const types = await viewer.caller.studio.nodeTypes();
    expect(types.map((t) => t.type).sort()).toEqual(Object.keys(nodeCatalog).sort());
    for (const info of types) {
      const result = validateDefinition(around(info.type, info.defaultConfig), nodeCatalog);
      expect(result.problems, info.type).toEqual([]);
    }
  });

  it('inspects a draft for a viewer', async () => {
    const { definition } = getTemplate('data-report');
    const inspection = await viewer.caller.studio.inspect({ ...ws, definition });
    expect(inspection.problems).toEqual([]);
    expect(inspection.nodes.fetch?.summary).toBe('GET {{start.sourceUrl}}');
    expect(inspection.upstream.analyze).toEqual(['start', 'fetch', 'clean', 'each']);
    const broken = await viewer.caller.studio.inspect({ ...ws, definition: { nodes: 'nope' } });
    expect(broken.problems.length).toBeGreaterThan(0);
  });

  it('creates an app from every template, with the template as its draft and an audit entry', async () => {
    const templates = await viewer.caller.studio.templates(ws);
    expect(templates.length).toBeGreaterThanOrEqual(6);
    for (const template of templates) {
      const { app, definition } = getTemplate(template.id);
      expect(validateDefinition(definition, nodeCatalog).problems, template.id).toEqual([]);
      const created = await owner.caller.studio.createFromTemplate({ ...ws, templateId: template.id });
      expect(created).toMatchObject({ name: app.name, kind: app.kind, description: app.description });
      const draft = await owner.caller.apps.getDraft({ ...ws, appId: created.id });
      expect(draft.definition, template.id).toEqual(definition);
      const audit = await database.db
        .select({ action: auditLog.action, details: auditLog.details })
        .from(auditLog)
        .where(and(eq(auditLog.workspaceId, ws.workspaceId), eq(auditLog.targetId, created.id)));
      expect(audit).toEqual(
        expect.arrayContaining([
          { action: 'app.create', details: { name: app.name, kind: app.kind } },
          { action: 'app.create_from_template', details: { templateId: template.id, name: app.name } },
        ]),
      );
    }
    const named = await owner.caller.studio.createFromTemplate({
      ...ws,
      templateId: 'approval-flow',
      name: '  Expense approvals ',
    });
    expect(named.name).toBe('Expense approvals');

    const before = await appCount();
    const unknown = await errorOf(owner.caller.studio.createFromTemplate({ ...ws, templateId: 'no-such' }));
    expect(unknown.code).toBe('NOT_FOUND');
    expect(unknown.message).toContain('no-such');
    expect(
      await errorCodeOf(viewer.caller.studio.createFromTemplate({ ...ws, templateId: 'data-report' })),
    ).toBe('FORBIDDEN');
    expect(await appCount()).toBe(before);
  });

  it.each(['json', 'yaml'] as const)(
    'exports the draft and a version as %s and imports them back',
    async (format) => {
      const { caller } = owner;
      const source = await caller.studio.createFromTemplate({
        ...ws,
        templateId: 'content-pipeline',
        name: 'Blog: weekly post',
      });
      const v1 = await caller.apps.publish({ ...ws, appId: source.id });
      const draft = await caller.apps.getDraft({ ...ws, appId: source.id });
      const edited: WorkflowDefinition = {
        ...draft.definition,
        nodes: draft.definition.nodes.map((n) => (n.id === 'outline' ? { ...n, title: 'Plan' } : n)),
      };
      await caller.apps.saveDraft({
        ...ws,
        appId: source.id,
        baseRevision: draft.revision,
        definition: edited,
      });

      const exported = await viewer.caller.studio.exportApp({ ...ws, appId: source.id, format });
      expect(exported.filename).toBe(`blog-weekly-post-draft.weft.${format}`);
      const ofVersion = await viewer.caller.studio.exportApp({
        ...ws,
        appId: source.id,
        versionId: v1.id,
        format,
      });
      expect(ofVersion.filename).toBe(`blog-weekly-post-v1.weft.${format}`);

      const imported = await caller.studio.importApp({ ...ws, content: exported.content });
      expect(imported).toMatchObject({
        name: 'Blog: weekly post',
        kind: source.kind,
        icon: source.icon,
        description: source.description,
      });
      expect((await caller.apps.getDraft({ ...ws, appId: imported.id })).definition).toEqual(edited);

      const fromVersion = await caller.studio.importApp({
        ...ws,
        content: ofVersion.content,
        format,
        name: 'Old copy',
      });
      expect(fromVersion.name).toBe('Old copy');
      expect((await caller.apps.getDraft({ ...ws, appId: fromVersion.id })).definition).toEqual(
        draft.definition,
      );
      const [audit] = await database.db
        .select({ action: auditLog.action, details: auditLog.details })
        .from(auditLog)
        .where(and(eq(auditLog.targetId, fromVersion.id), eq(auditLog.action, 'app.import')));
      expect(audit?.details).toMatchObject({ format, name: 'Old copy' });
    },
  );

  it('refuses a malformed file with every problem, names the content field and creates no app', async () => {
    const before = await appCount();
    const syntax = await errorOf(
      owner.caller.studio.importApp({ ...ws, content: '{\n  "weft": 1,\n  oops\n}' }),
    );
    expect(syntax.code).toBe('BAD_REQUEST');
    expect(syntax.message).toMatch(/line 3, column 3/);

    const { definition } = getTemplate('approval-flow');
    const badDefinition = {
      ...definition,
      nodes: definition.nodes.map((n) => (n.id === 'load' ? { ...n, config: { ...n.config, url: '' } } : n)),
      edges: definition.edges.filter((e) => e.target !== 'end'),
    };
    const content = JSON.stringify({
      weft: 1,
      app: { name: '', kind: 'workflow' },
      definition: badDefinition,
    });
    const res = await httpMutation(database.db, 'studio.importApp', { ...ws, content }, owner.token);
    expect(res.status).toBe(400);
    expect(res.error?.data.field).toBe('content');
    const data = res.error?.data as unknown as {
      problems: { path: string; message: string; nodeId?: string }[];
    };
    const problems = data?.problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'app.name', message: 'app.name: is required' }),
        expect.objectContaining({ path: 'definition.nodes.1.config.url', nodeId: 'load' }),
        expect.objectContaining({ path: 'definition.nodes.4', nodeId: 'end' }),
      ]),
    );
    const yaml = await errorOf(
      owner.caller.studio.importApp({ ...ws, content: 'weft: 3\napp: {}\n', format: 'yaml' }),
    );
    expect(yaml.message).toMatch(/version 3 is not supported/);
    expect(await appCount()).toBe(before);
  });

  it('lets a viewer export but not import, and refuses files over 2 MB', async () => {
    const source = await owner.caller.studio.createFromTemplate({ ...ws, templateId: 'support-triage' });
    const { content } = await viewer.caller.studio.exportApp({ ...ws, appId: source.id, format: 'yaml' });
    const before = await appCount();
    expect(await errorCodeOf(viewer.caller.studio.importApp({ ...ws, content }))).toBe('FORBIDDEN');
    const huge = `${content}\n# ${'é'.repeat(1024 * 1024)}\n`;
    const tooBig = await errorOf(owner.caller.studio.importApp({ ...ws, content: huge }));
    expect(tooBig.code).toBe('BAD_REQUEST');
    expect(tooBig.message).toMatch(/2 MB/);
    expect(await appCount()).toBe(before);
  });

  it('summarizes what each published version changed since the one before', async () => {
    const { caller } = owner;
    const app = await caller.studio.createFromTemplate({ ...ws, templateId: 'ab-model-comparison' });
    const v1 = await caller.apps.publish({ ...ws, appId: app.id });
    const draft = await caller.apps.getDraft({ ...ws, appId: app.id });
    const definition: WorkflowDefinition = {
      ...draft.definition,
      nodes: [
        ...draft.definition.nodes.map((n) =>
          n.id === 'judge'
            ? { ...n, config: { ...n.config, temperature: 0.5 } }
            : { ...n, position: { x: 1, y: 1 } },
        ),
        { id: 'note', type: 'template', title: 'Note', config: { template: 'x' }, position: { x: 0, y: 0 } },
      ],
      edges: [
        ...draft.definition.edges.filter((e) => e.source !== 'judge'),
        { id: 'j_note', source: 'judge', sourceHandle: null, target: 'note', targetHandle: null },
        { id: 'note_end', source: 'note', sourceHandle: null, target: 'end', targetHandle: null },
      ],
    };
    await caller.apps.saveDraft({ ...ws, appId: app.id, baseRevision: draft.revision, definition });
    const v2 = await caller.apps.publish({ ...ws, appId: app.id });

    const first = await viewer.caller.studio.versionChanges({ ...ws, appId: app.id, versionId: v1.id });
    expect(first).toMatchObject({ versionNumber: 1, previousVersionNumber: null, addedEdges: 5 });
    expect(first.addedNodes).toHaveLength(5);
    const second = await viewer.caller.studio.versionChanges({ ...ws, appId: app.id, versionId: v2.id });
    expect(second).toMatchObject({
      versionNumber: 2,
      previousVersionNumber: 1,
      addedNodes: ['note'],
      removedNodes: [],
      changedNodes: ['judge'],
      addedEdges: 2,
      removedEdges: 1,
      text: '1 node added (note), 1 changed (judge), 2 edges added, 1 edge removed',
    });
  });
});
