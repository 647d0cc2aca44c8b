// Apps and their versions. An app has one mutable draft (its `revision` increases on every save,
// so a save based on an old revision is refused) and immutable published versions numbered 1, 2,
// …. Every query is scoped by workspace id as well as by the app's id.
import { and, desc, eq, ilike, isNotNull, max, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '@/db/client';
import { apps, appVersions } from '@/db/schema';
import { conflict, notFound } from '@/server/errors';
import { starterDefinition, type WorkflowDefinition } from '@/workflows/dsl/definition';
import { appChanged } from './app-changes';
import { recordAudit } from './audit';

export type AppKind = 'chat' | 'workflow';
export const DEFAULT_ICON = { chat: '💬', workflow: '🔀' } as const;

async function requireApp(db: DbOrTx, workspaceId: string, appId: string) {
  const [app] = await db
    .select()
    .from(apps)
    .where(and(eq(apps.id, appId), eq(apps.workspaceId, workspaceId)));
  if (!app) throw notFound('App');
  return app;
}

async function requireDraft(db: DbOrTx, workspaceId: string, appId: string) {
  const [draft] = await db
    .select()
    .from(appVersions)
    .where(
      and(
        eq(appVersions.appId, appId),
        eq(appVersions.workspaceId, workspaceId),
        eq(appVersions.isDraft, true),
      ),
    );
  if (!draft) throw notFound('App');
  return draft;
}

export async function listApps(db: Db, workspaceId: string, opts: { search?: string } = {}) {
  const latestVersion = db
    .select({ appId: appVersions.appId, latest: max(appVersions.versionNumber).as('latest') })
    .from(appVersions)
    .where(and(eq(appVersions.workspaceId, workspaceId), isNotNull(appVersions.versionNumber)))
    .groupBy(appVersions.appId)
    .as('latest_version');
  const search = opts.search?.trim();
  const escaped = search?.replace(/[\\%_]/g, (c) => `\\${c}`);
  return db
    .select({
      id: apps.id,
      name: apps.name,
      kind: apps.kind,
      icon: apps.icon,
      description: apps.description,
      updatedAt: apps.updatedAt,
      latestVersion: latestVersion.latest,
    })
    .from(apps)
    .leftJoin(latestVersion, eq(latestVersion.appId, apps.id))
    .where(and(eq(apps.workspaceId, workspaceId), escaped ? ilike(apps.name, `%${escaped}%`) : undefined))
    .orderBy(desc(apps.updatedAt));
}

export function getApp(db: Db, workspaceId: string, appId: string) {
  return requireApp(db, workspaceId, appId);
}

export async function createApp(
  db: Db,
  actorId: string,
  workspaceId: string,
  input: {
    name: string;
    kind: AppKind;
    icon?: string;
    description?: string;
    definition?: WorkflowDefinition;
  },
) {
  return db.transaction(async (tx) => {
    const [app] = await tx
      .insert(apps)
      .values({
        workspaceId,
        name: input.name.trim(),
        kind: input.kind,
        icon: input.icon?.trim() || DEFAULT_ICON[input.kind],
        description: input.description?.trim() ?? '',
        createdBy: actorId,
      })
      .returning();
    if (!app) throw new Error('app insert returned nothing');
    await tx.insert(appVersions).values({
      workspaceId,
      appId: app.id,
      isDraft: true,
      definition: input.definition ?? starterDefinition(input.kind),
      createdBy: actorId,
    });
    await recordAudit(tx, {
      workspaceId,
      actorUserId: actorId,
      action: 'app.create',
      targetType: 'app',
      targetId: app.id,
      details: { name: app.name, kind: app.kind },
    });
    return app;
  });
}

export async function updateApp(
  db: Db,
  actorId: string,
  workspaceId: string,
  appId: string,
  input: { name?: string; icon?: string; description?: string },
) {
  const result = await db.transaction(async (tx) => {
    const [app] = await tx
      .update(apps)
      .set({
        ...(input.name !== undefined && { name: input.name.trim() }),
        ...(input.icon !== undefined && { icon: input.icon.trim() }),
        ...(input.description !== undefined && { description: input.description.trim() }),
        updatedAt: new Date(),
      })
      .where(and(eq(apps.id, appId), eq(apps.workspaceId, workspaceId)))
      .returning();
    if (!app) throw notFound('App');
    await recordAudit(tx, {
      workspaceId,
      actorUserId: actorId,
      action: 'app.update',
      targetType: 'app',
      targetId: appId,
      details: input,
    });
    return app;
  });
  appChanged(appId);
  return result;
}

export async function deleteApp(db: Db, actorId: string, workspaceId: string, appId: string) {
  const result = await db.transaction(async (tx) => {
    const [app] = await tx
      .delete(apps)
      .where(and(eq(apps.id, appId), eq(apps.workspaceId, workspaceId)))
      .returning({ id: apps.id, name: apps.name });
    if (!app) throw notFound('App');
    await recordAudit(tx, {
      workspaceId,
      actorUserId: actorId,
      action: 'app.delete',
      targetType: 'app',
      targetId: appId,
      details: { name: app.name },
    });
    return { id: appId };
  });
  appChanged(appId);
  return result;
}

/** Copies an app's settings and current draft into a new app; published versions stay behind. */
export async function duplicateApp(db: Db, actorId: string, workspaceId: string, appId: string) {
  const app = await requireApp(db, workspaceId, appId);
  const draft = await requireDraft(db, workspaceId, appId);
  return createApp(db, actorId, workspaceId, {
    name: `${app.name} (copy)`,
    kind: app.kind,
    icon: app.icon,
    description: app.description,
    definition: draft.definition as WorkflowDefinition,
  });
}

export async function getDraft(db: Db, workspaceId: string, appId: string) {
  const draft = await requireDraft(db, workspaceId, appId);
  return {
    appId,
    revision: draft.revision,
    definition: draft.definition as WorkflowDefinition,
    updatedAt: draft.updatedAt,
  };
}

/**
 * Replaces the draft's definition and bumps its revision (only if it is still at `baseRevision`,
 * when one is given), touching the app's updated time. Returns undefined when no row matched.
 */
async function writeDraft(
  tx: DbOrTx,
  actorId: string,
  workspaceId: string,
  appId: string,
  definition: unknown,
  baseRevision?: number,
) {
  const now = new Date();
  const [saved] = await tx
    .update(appVersions)
    .set({ definition, revision: sql`${appVersions.revision} + 1`, updatedAt: now, createdBy: actorId })
    .where(
      and(
        eq(appVersions.appId, appId),
        eq(appVersions.workspaceId, workspaceId),
        eq(appVersions.isDraft, true),
        baseRevision === undefined ? undefined : eq(appVersions.revision, baseRevision),
      ),
    )
    .returning({ revision: appVersions.revision, updatedAt: appVersions.updatedAt });
  if (saved) await tx.update(apps).set({ updatedAt: now }).where(eq(apps.id, appId));
  return saved;
}

/** Saves the draft if it is still at `baseRevision`; otherwise someone saved in between. */
export async function saveDraft(
  db: Db,
  actorId: string,
  workspaceId: string,
  appId: string,
  input: { definition: WorkflowDefinition; baseRevision: number },
) {
  return db.transaction(async (tx) => {
    const saved = await writeDraft(tx, actorId, workspaceId, appId, input.definition, input.baseRevision);
    if (!saved) {
      const current = await requireDraft(tx, workspaceId, appId);
      throw conflict(
        `The draft was changed elsewhere (now at revision ${current.revision}, yours was ${input.baseRevision}); reload it before saving`,
      );
    }
    return saved;
  });
}

export async function publishDraft(
  db: Db,
  actorId: string,
  workspaceId: string,
  appId: string,
  input: { note?: string },
) {
  const result = await db.transaction(async (tx) => {
    const draft = await requireDraft(tx, workspaceId, appId);
    // Lock the draft row so two concurrent publishes cannot pick the same number.
    await tx.execute(sql`select 1 from app_versions where id = ${draft.id} for update`);
    const [row] = await tx
      .select({ latest: max(appVersions.versionNumber) })
      .from(appVersions)
      .where(eq(appVersions.appId, appId));
    const versionNumber = (row?.latest ?? 0) + 1;
    const [version] = await tx
      .insert(appVersions)
      .values({
        workspaceId,
        appId,
        isDraft: false,
        versionNumber,
        definition: draft.definition,
        note: input.note?.trim() ?? '',
        createdBy: actorId,
      })
      .returning();
    if (!version) throw new Error('version insert returned nothing');
    await tx.update(apps).set({ updatedAt: new Date() }).where(eq(apps.id, appId));
    await recordAudit(tx, {
      workspaceId,
      actorUserId: actorId,
      action: 'app.publish',
      targetType: 'app_version',
      targetId: version.id,
      details: { appId, versionNumber },
    });
    return { id: version.id, versionNumber, note: version.note, createdAt: version.createdAt };
  });
  appChanged(appId);
  return result;
}

export async function listVersions(db: Db, workspaceId: string, appId: string) {
  await requireApp(db, workspaceId, appId);
  return db
    .select({
      id: appVersions.id,
      versionNumber: appVersions.versionNumber,
      note: appVersions.note,
      createdAt: appVersions.createdAt,
    })
    .from(appVersions)
    .where(
      and(
        eq(appVersions.appId, appId),
        eq(appVersions.workspaceId, workspaceId),
        eq(appVersions.isDraft, false),
      ),
    )
    .orderBy(desc(appVersions.versionNumber));
}

async function requireVersion(db: DbOrTx, workspaceId: string, appId: string, versionId: string) {
  const [version] = await db
    .select()
    .from(appVersions)
    .where(
      and(
        eq(appVersions.id, versionId),
        eq(appVersions.appId, appId),
        eq(appVersions.workspaceId, workspaceId),
        eq(appVersions.isDraft, false),
      ),
    );
  if (!version) throw notFound('Version');
  return version;
}

export async function getVersion(db: Db, workspaceId: string, appId: string, versionId: string) {
  const v = await requireVersion(db, workspaceId, appId, versionId);
  return {
    id: v.id,
    versionNumber: v.versionNumber,
    note: v.note,
    createdAt: v.createdAt,
    definition: v.definition as WorkflowDefinition,
  };
}

/** Copies a published version into the draft (a new draft revision). */
export async function restoreVersion(
  db: Db,
  actorId: string,
  workspaceId: string,
  appId: string,
  versionId: string,
) {
  return db.transaction(async (tx) => {
    const version = await requireVersion(tx, workspaceId, appId, versionId);
    const saved = await writeDraft(tx, actorId, workspaceId, appId, version.definition);
    if (!saved) throw notFound('App');
    await recordAudit(tx, {
      workspaceId,
      actorUserId: actorId,
      action: 'app.restore_version',
      targetType: 'app_version',
      targetId: versionId,
      details: { appId, versionNumber: version.versionNumber },
    });
    return { revision: saved.revision, versionNumber: version.versionNumber };
  });
}
