// The app templates shipped in workflows/templates/ (one Weft file each, the same format as an
// export): the gallery's list, and a new app whose draft is a template's definition. Templates are
// imported statically so they are bundled with the server and no path has to be found at run time.
import type { Db } from '@/db/client';
import { DomainError } from '@/server/errors';
import abModelComparison from '@/workflows/templates/ab-model-comparison.json';
import approvalFlow from '@/workflows/templates/approval-flow.json';
import contentPipeline from '@/workflows/templates/content-pipeline.json';
import customerServiceRouter from '@/workflows/templates/customer-service-router.json';
import dataReport from '@/workflows/templates/data-report.json';
import supportTriage from '@/workflows/templates/support-triage.json';
import { createApp, DEFAULT_ICON } from './app-service';
import { recordAudit } from './audit';
import { checkDocument, type WeftDocument } from './definition-document';

/** Template id (its file name) → file content, in the order the gallery shows them. */
const FILES: Record<string, unknown> = {
  'support-triage': supportTriage,
  'customer-service-router': customerServiceRouter,
  'content-pipeline': contentPipeline,
  'data-report': dataReport,
  'ab-model-comparison': abModelComparison,
  'approval-flow': approvalFlow,
};

export interface TemplateSummary {
  id: string;
  name: string;
  description: string;
  kind: 'chat' | 'workflow';
  icon: string;
  nodeCount: number;
}

let parsed: Map<string, WeftDocument> | undefined;

/** Every template, checked like an imported file; a broken one is a bug in Weft, so it throws. */
function templates(): Map<string, WeftDocument> {
  if (!parsed) {
    const checked = new Map<string, WeftDocument>();
    for (const [id, content] of Object.entries(FILES)) {
      const result = checkDocument(content);
      if (!result.ok) {
        const detail = result.problems.map((p) => `${p.path.join('.')}: ${p.message}`).join('; ');
        throw new Error(`template ${id} is invalid: ${detail}`);
      }
      checked.set(id, result.document);
    }
    parsed = checked;
  }
  return parsed;
}

export function listTemplates(): TemplateSummary[] {
  return [...templates()].map(([id, { app, definition }]) => ({
    id,
    name: app.name,
    description: app.description,
    kind: app.kind,
    icon: app.icon ?? DEFAULT_ICON[app.kind],
    nodeCount: definition.nodes.length,
  }));
}

/** The template's document (a copy: callers may change it). */
export function getTemplate(templateId: string): WeftDocument {
  const template = Object.hasOwn(FILES, templateId) ? templates().get(templateId) : undefined;
  if (!template) {
    throw new DomainError('NOT_FOUND', `Template "${templateId}" not found`, 'templateId');
  }
  return structuredClone(template);
}

/** A new app named after the template (or `name`) whose draft is the template's definition. */
export async function createAppFromTemplate(
  db: Db,
  actorId: string,
  workspaceId: string,
  templateId: string,
  name?: string,
) {
  const { app, definition } = getTemplate(templateId);
  // One transaction: the app, its draft and both audit entries exist together or not at all.
  return db.transaction(async (tx) => {
    const created = await createApp(tx, actorId, workspaceId, {
      name: name?.trim() || app.name,
      kind: app.kind,
      icon: app.icon,
      description: app.description,
      definition,
    });
    await recordAudit(tx, {
      workspaceId,
      actorUserId: actorId,
      action: 'app.create_from_template',
      targetType: 'app',
      targetId: created.id,
      details: { templateId, name: created.name },
    });
    return created;
  });
}
