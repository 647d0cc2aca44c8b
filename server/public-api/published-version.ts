// The published version an API call runs: the app's latest one. The API never runs the draft, so
// an app must be published before integrators can call it.
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { appVersions } from '@/db/schema';
import type { WorkflowDefinition } from '@/workflows/dsl/definition';
import type { ApiApp } from './auth';
import { ApiError } from './errors';

export interface PublishedVersion {
  id: string;
  versionNumber: number | null;
  definition: WorkflowDefinition;
}

export async function latestPublishedVersion(db: Db, app: ApiApp): Promise<PublishedVersion> {
  const [version] = await db
    .select({
      id: appVersions.id,
      versionNumber: appVersions.versionNumber,
      definition: appVersions.definition,
    })
    .from(appVersions)
    .where(
      and(
        eq(appVersions.appId, app.id),
        eq(appVersions.workspaceId, app.workspaceId),
        eq(appVersions.isDraft, false),
      ),
    )
    .orderBy(desc(appVersions.versionNumber))
    .limit(1);
  if (!version)
    throw new ApiError(400, 'app_unavailable', 'The app has no published version: publish the app first');
  return { ...version, definition: version.definition as WorkflowDefinition };
}
