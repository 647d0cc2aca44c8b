// Moving apps in and out of a workspace as Weft files (export of the draft or a published version,
// import as a new app), and what a published version changed compared with the one before it.
// Every read goes through app-service, so it is scoped by workspace id like the rest.
import type { Db } from '@/db/client';
import { DomainError } from '@/server/errors';
import { SCHEMA_VERSION, type WorkflowDefinition } from '@/workflows/dsl/definition';
import { createApp, getApp, getDraft, getVersion, listVersions } from './app-service';
import { recordAudit } from './audit';
import { detectFormat, exportDefinition, parseImport, type TransferFormat } from './definition-document';
import { type DefinitionChanges, summarizeChanges } from './definition-service';

/** A file name from the app's name: lower-case ASCII words joined by dashes ('app' when none are left). */
function fileStem(name: string): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return slug || 'app';
}

export async function exportApp(
  db: Db,
  workspaceId: string,
  input: { appId: string; versionId?: string; format: TransferFormat },
): Promise<{ filename: string; content: string }> {
  const app = await getApp(db, workspaceId, input.appId);
  const source = input.versionId
    ? await getVersion(db, workspaceId, input.appId, input.versionId)
    : await getDraft(db, workspaceId, input.appId);
  const suffix = 'versionNumber' in source ? `v${source.versionNumber}` : 'draft';
  const content = exportDefinition(source.definition, input.format, {
    name: app.name,
    kind: app.kind,
    description: app.description,
    icon: app.icon,
  });
  return { filename: `${fileStem(app.name)}-${suffix}.weft.${input.format}`, content };
}

/** How many problems the error message spells out; all of them are in `problems`. */
const PROBLEMS_IN_MESSAGE = 5;

/** Creates an app from a Weft file; a file with any problem creates nothing. */
export async function importApp(
  db: Db,
  actorId: string,
  workspaceId: string,
  input: { content: string; format?: TransferFormat; name?: string },
) {
  const parsed = parseImport(input.content, input.format);
  if (!parsed.ok) {
    const problems = parsed.problems.map((p) => ({
      message: p.message,
      path: p.path.join('.'),
      ...(p.nodeId ? { nodeId: p.nodeId } : {}),
    }));
    const listed = problems
      .slice(0, PROBLEMS_IN_MESSAGE)
      .map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
    const more =
      problems.length > PROBLEMS_IN_MESSAGE ? `; and ${problems.length - PROBLEMS_IN_MESSAGE} more` : '';
    throw new DomainError(
      'BAD_REQUEST',
      `The file has ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${listed.join('; ')}${more}`,
      'content',
      problems,
    );
  }
  const { app, definition } = parsed.document;
  const format = input.format ?? detectFormat(input.content);
  return db.transaction(async (tx) => {
    const created = await createApp(tx, actorId, workspaceId, {
      name: input.name?.trim() || app.name,
      kind: app.kind,
      icon: app.icon,
      description: app.description,
      definition,
    });
    await recordAudit(tx, {
      workspaceId,
      actorUserId: actorId,
      action: 'app.import',
      targetType: 'app',
      targetId: created.id,
      details: { name: created.name, format, nodes: definition.nodes.length },
    });
    return created;
  });
}

const EMPTY: WorkflowDefinition = { schemaVersion: SCHEMA_VERSION, nodes: [], edges: [] };

/** What a published version changed since the version before it (everything, for version 1). */
export async function versionChanges(
  db: Db,
  workspaceId: string,
  appId: string,
  versionId: string,
): Promise<DefinitionChanges & { versionNumber: number; previousVersionNumber: number | null }> {
  const version = await getVersion(db, workspaceId, appId, versionId);
  const versionNumber = version.versionNumber ?? 0;
  // Newest first, so the first older one is the previous version.
  const previous = (await listVersions(db, workspaceId, appId)).find(
    (v) => v.versionNumber !== null && v.versionNumber < versionNumber,
  );
  const before = previous ? (await getVersion(db, workspaceId, appId, previous.id)).definition : EMPTY;
  return {
    versionNumber,
    previousVersionNumber: previous?.versionNumber ?? null,
    ...summarizeChanges(before, version.definition),
  };
}
