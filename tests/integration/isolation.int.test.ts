// Tenant isolation: a member of workspace A addressing workspace B's ids through any procedure of
// every router but auth (apps, workspace, runs, providers, secrets, studio, apiKeys, webChat) gets NOT_FOUND or
// FORBIDDEN, and B's rows stay exactly as they were. The procedures are enumerated from the router,
// so a new one without a case fails here.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import {
  apiKeys,
  apps,
  appVersions,
  auditLog,
  invitations,
  memberships,
  modelProviders,
  notifications,
  reviews,
  runSignals,
  runs,
  webChats,
  workspaceSecrets,
  workspaces,
} from '@/db/schema';
import { appRouter } from '@/server/trpc/root';
import { starterDefinition } from '@/workflows/dsl/definition';
import { testDatabases } from '../support/databases';
import { type Caller, errorCodeOf, signUpUser } from '../support/trpc-harness';

interface Targets {
  workspaceId: string;
  appId: string;
  versionId: string;
  userId: string;
  invitationId: string;
  runId: string;
  providerId: string;
  keyId: string;
  chatAppId: string;
  reviewId: string;
}

/** The input each scoped procedure receives, built from a workspace id and B's object ids. */
const scopedInputs: Record<string, (workspaceId: string, b: Targets) => unknown> = {
  'apps.list': (workspaceId) => ({ workspaceId }),
  'apps.get': (workspaceId, b) => ({ workspaceId, appId: b.appId }),
  'apps.create': (workspaceId) => ({ workspaceId, name: 'Intruder', kind: 'chat' }),
  'apps.update': (workspaceId, b) => ({ workspaceId, appId: b.appId, name: 'Hijacked' }),
  'apps.delete': (workspaceId, b) => ({ workspaceId, appId: b.appId }),
  'apps.duplicate': (workspaceId, b) => ({ workspaceId, appId: b.appId }),
  'apps.getDraft': (workspaceId, b) => ({ workspaceId, appId: b.appId }),
  'apps.saveDraft': (workspaceId, b) => ({
    workspaceId,
    appId: b.appId,
    baseRevision: 1,
    definition: { schemaVersion: 1, nodes: [], edges: [] },
  }),
  'apps.publish': (workspaceId, b) => ({ workspaceId, appId: b.appId }),
  'apps.versions': (workspaceId, b) => ({ workspaceId, appId: b.appId }),
  'apps.getVersion': (workspaceId, b) => ({ workspaceId, appId: b.appId, versionId: b.versionId }),
  'apps.restoreVersion': (workspaceId, b) => ({ workspaceId, appId: b.appId, versionId: b.versionId }),
  'workspace.get': (workspaceId) => ({ workspaceId }),
  'workspace.rename': (workspaceId) => ({ workspaceId, name: 'Taken over' }),
  'workspace.members': (workspaceId) => ({ workspaceId }),
  'workspace.changeRole': (workspaceId, b) => ({ workspaceId, userId: b.userId, role: 'viewer' }),
  'workspace.removeMember': (workspaceId, b) => ({ workspaceId, userId: b.userId }),
  'workspace.invitations': (workspaceId) => ({ workspaceId }),
  'workspace.invite': (workspaceId) => ({ workspaceId, role: 'owner' }),
  'workspace.revokeInvitation': (workspaceId, b) => ({ workspaceId, invitationId: b.invitationId }),
  'runs.start': (workspaceId, b) => ({ workspaceId, appId: b.appId, inputs: {} }),
  'runs.get': (workspaceId, b) => ({ workspaceId, runId: b.runId }),
  'runs.list': (workspaceId, b) => ({ workspaceId, appId: b.appId }),
  'runs.cancel': (workspaceId, b) => ({ workspaceId, runId: b.runId }),
  'providers.list': (workspaceId) => ({ workspaceId }),
  'providers.create': (workspaceId) => ({ workspaceId, name: 'Planted', apiKey: 'sk-x' }),
  'providers.update': (workspaceId, b) => ({ workspaceId, providerId: b.providerId, name: 'Hijacked' }),
  'providers.delete': (workspaceId, b) => ({ workspaceId, providerId: b.providerId }),
  'providers.testConnection': (workspaceId, b) => ({ workspaceId, providerId: b.providerId }),
  'secrets.list': (workspaceId) => ({ workspaceId }),
  'secrets.set': (workspaceId) => ({ workspaceId, name: 'PLANTED', value: 'x' }),
  'secrets.delete': (workspaceId) => ({ workspaceId, name: 'B_SECRET' }),
  'runs.signal': (workspaceId, b) => ({
    workspaceId,
    runId: b.runId,
    name: 'review:x',
    payload: { decision: 'approve' },
  }),
  'studio.inspect': (workspaceId) => ({ workspaceId, definition: starterDefinition('chat') }),
  'studio.templates': (workspaceId) => ({ workspaceId }),
  'studio.createFromTemplate': (workspaceId) => ({ workspaceId, templateId: 'support-triage' }),
  'studio.exportApp': (workspaceId, b) => ({
    workspaceId,
    appId: b.appId,
    versionId: b.versionId,
    format: 'json',
  }),
  'studio.importApp': (workspaceId) => ({
    workspaceId,
    content: JSON.stringify({
      weft: 1,
      app: { name: 'Planted', kind: 'chat', description: '' },
      definition: starterDefinition('chat'),
    }),
  }),
  'studio.versionChanges': (workspaceId, b) => ({ workspaceId, appId: b.appId, versionId: b.versionId }),
  'apiKeys.list': (workspaceId, b) => ({ workspaceId, appId: b.appId }),
  'apiKeys.create': (workspaceId, b) => ({ workspaceId, appId: b.appId, name: 'Planted key' }),
  'apiKeys.revoke': (workspaceId, b) => ({ workspaceId, appId: b.appId, keyId: b.keyId }),
  'apiUsage.stats': (workspaceId, b) => ({ workspaceId, appId: b.appId, range: '24h' }),
  'reviews.list': (workspaceId) => ({ workspaceId }),
  'reviews.history': (workspaceId) => ({ workspaceId }),
  'reviews.exportCsv': (workspaceId) => ({ workspaceId }),
  'reviews.pendingCount': (workspaceId) => ({ workspaceId }),
  'reviews.get': (workspaceId, b) => ({ workspaceId, reviewId: b.reviewId }),
  'reviews.ofRun': (workspaceId, b) => ({ workspaceId, runId: b.runId }),
  'reviews.decide': (workspaceId, b) => ({ workspaceId, reviewId: b.reviewId, action: 'approve' }),
  'reviews.notifications': (workspaceId) => ({ workspaceId }),
  'reviews.markNotificationsRead': (workspaceId) => ({ workspaceId }),
  'reviewSettings.get': (workspaceId) => ({ workspaceId }),
  'reviewSettings.setWebhook': (workspaceId) => ({ workspaceId, url: 'https://hooks.example.com/x' }),
  'reviewSettings.testWebhook': (workspaceId) => ({ workspaceId, url: 'https://hooks.example.com/x' }),
  'reviewLinks.issue': (workspaceId, b) => ({
    workspaceId,
    reviewId: b.reviewId,
    name: 'Outsider',
    email: 'outsider@example.com',
  }),
  'reviewLinks.revoke': (workspaceId, b) => ({ workspaceId, reviewId: b.reviewId }),
  'webChat.get': (workspaceId, b) => ({ workspaceId, appId: b.chatAppId }),
  'webChat.enable': (workspaceId, b) => ({ workspaceId, appId: b.chatAppId }),
  'webChat.disable': (workspaceId, b) => ({ workspaceId, appId: b.chatAppId }),
  'webChat.rotateToken': (workspaceId, b) => ({ workspaceId, appId: b.chatAppId }),
  'webChat.setAllowedOrigins': (workspaceId, b) => ({
    workspaceId,
    appId: b.chatAppId,
    allowedOrigins: ['https://evil.example'],
  }),
};

/** Procedures that take no workspace id: each is checked to act only on the caller's own data. */
const unscoped = new Set(['workspace.list', 'workspace.create', 'studio.nodeTypes']);

// Every router but auth (sign-in and invitation links act before any workspace is involved).
const procedurePaths = Object.keys(appRouter._def.procedures).filter((p) => !p.startsWith('auth.'));

function call(caller: Caller, path: string, input: unknown): Promise<unknown> {
  const [routerName, procedure] = path.split('.') as [string, string];
  const routerCaller = (
    caller as unknown as Record<string, Record<string, (i: unknown) => Promise<unknown>>>
  )[routerName];
  const fn = routerCaller?.[procedure];
  if (!fn) throw new Error(`no procedure ${path}`);
  return fn(input);
}

describe.each(testDatabases())('tenant isolation on $name', ({ open }) => {
  let database: Database;
  let attacker: Awaited<ReturnType<typeof signUpUser>>;
  let b: Targets;

  async function snapshotOfB() {
    const db = database.db;
    const where = <T extends { workspaceId: unknown }>(t: T) => eq(t.workspaceId as never, b.workspaceId);
    return {
      workspace: await db.select().from(workspaces).where(eq(workspaces.id, b.workspaceId)),
      memberships: await db.select().from(memberships).where(where(memberships)),
      apps: await db.select().from(apps).where(where(apps)),
      versions: await db.select().from(appVersions).where(where(appVersions)),
      invitations: await db.select().from(invitations).where(where(invitations)),
      audit: await db.select().from(auditLog).where(where(auditLog)),
      runs: await db.select().from(runs).where(where(runs)),
      signals: await db.select().from(runSignals).where(where(runSignals)),
      secrets: await db.select().from(workspaceSecrets).where(where(workspaceSecrets)),
      providers: await db.select().from(modelProviders).where(where(modelProviders)),
      apiKeys: await db.select().from(apiKeys).where(where(apiKeys)),
      webChats: await db.select().from(webChats).where(where(webChats)),
      reviews: await db.select().from(reviews).where(where(reviews)),
      notifications: await db.select().from(notifications).where(where(notifications)),
    };
  }

  beforeAll(async () => {
    database = await open();
    attacker = await signUpUser(database.db, 'tenant-a');
    const victim = await signUpUser(database.db, 'tenant-b');
    const ws = { workspaceId: victim.workspaceId };
    const app = await victim.caller.apps.create({ ...ws, name: 'Secret app', kind: 'workflow' });
    const version = await victim.caller.apps.publish({ ...ws, appId: app.id });
    const { invitation } = await victim.caller.workspace.invite({ ...ws, role: 'editor' });
    const { runId } = await victim.caller.runs.start({ ...ws, appId: app.id, inputs: {} });
    await victim.caller.secrets.set({ ...ws, name: 'B_SECRET', value: 'b-secret-value' });
    const provider = await victim.caller.providers.create({
      ...ws,
      name: 'B models',
      apiKey: 'sk-b',
      isDefault: true,
    });
    const { key } = await victim.caller.apiKeys.create({ ...ws, appId: app.id, name: 'B key' });
    const chatApp = await victim.caller.apps.create({ ...ws, name: 'Secret chat', kind: 'chat' });
    await victim.caller.webChat.enable({ ...ws, appId: chatApp.id });
    // A review waiting in B, with a notification for B's owner (planted: no worker runs here).
    const [review] = await database.db
      .insert(reviews)
      .values({
        workspaceId: victim.workspaceId,
        appId: app.id,
        runId,
        stepKey: 'review',
        nodeId: 'review',
        title: 'Secret review',
      })
      .returning();
    if (!review) throw new Error('no review planted');
    await database.db.insert(notifications).values({
      workspaceId: victim.workspaceId,
      userId: victim.user.id,
      kind: 'review.opened',
      title: 'Secret review',
      reviewId: review.id,
    });
    b = {
      workspaceId: victim.workspaceId,
      appId: app.id,
      versionId: version.id,
      userId: victim.user.id,
      invitationId: invitation.id,
      runId,
      providerId: provider.id,
      keyId: key.id,
      chatAppId: chatApp.id,
      reviewId: review.id,
    };
    // A also owns an app, so "wrong workspace" and "wrong object" are both exercised.
    await attacker.caller.apps.create({ workspaceId: attacker.workspaceId, name: 'Own app', kind: 'chat' });
  });
  afterAll(() => database.close());

  it('every apps and workspace procedure has an isolation case', () => {
    expect(procedurePaths.length).toBeGreaterThan(15);
    const missing = procedurePaths.filter((p) => !(p in scopedInputs) && !unscoped.has(p));
    expect(missing).toEqual([]);
  });

  it.each(Object.keys(scopedInputs))("%s refuses B's workspace id", async (path) => {
    expect(procedurePaths).toContain(path);
    const before = await snapshotOfB();
    const code = await errorCodeOf(call(attacker.caller, path, scopedInputs[path]?.(b.workspaceId, b)));
    expect(['NOT_FOUND', 'FORBIDDEN']).toContain(code);
    expect(await snapshotOfB()).toEqual(before);
  });

  // Procedures addressing one of B's objects (not just the workspace) get a second attack: A's
  // own workspace id, where A is owner, with B's object id.
  const objectScoped = () =>
    Object.keys(scopedInputs).filter((p) => {
      const input = JSON.stringify(scopedInputs[p]?.(attacker.workspaceId, b));
      return [
        b.appId,
        b.versionId,
        b.userId,
        b.invitationId,
        b.runId,
        b.providerId,
        b.keyId,
        b.chatAppId,
        b.reviewId,
      ].some((id) => input.includes(id));
    });

  it("procedures given B's object ids under A's own workspace id answer NOT_FOUND", async () => {
    const paths = objectScoped();
    expect(paths.length).toBeGreaterThanOrEqual(12);
    for (const path of paths) {
      const before = await snapshotOfB();
      const input = scopedInputs[path]?.(attacker.workspaceId, b);
      expect(await errorCodeOf(call(attacker.caller, path, input)), path).toBe('NOT_FOUND');
      expect(await snapshotOfB(), path).toEqual(before);
    }
  });

  it("studio.exportApp of B's draft, and versionChanges of B's version under A's own app, answer NOT_FOUND", async () => {
    const before = await snapshotOfB();
    const [ownApp] = await attacker.caller.apps.list({ workspaceId: attacker.workspaceId });
    if (!ownApp) throw new Error('A has no app');
    // Started one at a time: a call made early and awaited late would reject unhandled.
    const attempts = [
      () => attacker.caller.studio.exportApp({ workspaceId: b.workspaceId, appId: b.appId, format: 'yaml' }),
      () =>
        attacker.caller.studio.exportApp({
          workspaceId: attacker.workspaceId,
          appId: b.appId,
          format: 'yaml',
        }),
      () =>
        attacker.caller.studio.exportApp({
          workspaceId: attacker.workspaceId,
          appId: ownApp.id,
          versionId: b.versionId,
          format: 'json',
        }),
      () =>
        attacker.caller.studio.versionChanges({
          workspaceId: attacker.workspaceId,
          appId: ownApp.id,
          versionId: b.versionId,
        }),
    ];
    for (const attempt of attempts) expect(await errorCodeOf(attempt())).toBe('NOT_FOUND');
    expect(await snapshotOfB()).toEqual(before);
  });

  it("apiKeys.revoke of B's key under A's own app answers NOT_FOUND, and A's list never shows it", async () => {
    const before = await snapshotOfB();
    const [ownApp] = await attacker.caller.apps.list({ workspaceId: attacker.workspaceId });
    if (!ownApp) throw new Error('A has no app');
    const own = { workspaceId: attacker.workspaceId, appId: ownApp.id };
    expect(await errorCodeOf(attacker.caller.apiKeys.revoke({ ...own, keyId: b.keyId }))).toBe('NOT_FOUND');
    expect((await attacker.caller.apiKeys.list(own)).map((k) => k.id)).not.toContain(b.keyId);
    expect(await snapshotOfB()).toEqual(before);
  });

  it('studio.nodeTypes answers the same catalog to anyone signed in and touches nothing', async () => {
    const before = await snapshotOfB();
    const types = await attacker.caller.studio.nodeTypes();
    expect(types.map((t) => t.type)).toContain('llm');
    expect(await snapshotOfB()).toEqual(before);
  });

  it("workspace.list and workspace.create never show or touch B's workspace", async () => {
    const before = await snapshotOfB();
    const created = await attacker.caller.workspace.create({ name: 'Second' });
    const listed = await attacker.caller.workspace.list();
    expect(listed.map((w) => w.id).sort()).toEqual([attacker.workspaceId, created.id].sort());
    expect(listed.map((w) => w.id)).not.toContain(b.workspaceId);
    expect(await snapshotOfB()).toEqual(before);
  });
});
