// The published version an API call runs: the app's latest one. The API never runs the draft, so
// an app must be published before integrators can call it. Looked up on every call, so it is kept
// in memory for a few seconds per app: publishing (or deleting the app) drops it at once in this
// process; other processes sharing the database serve a new version within
// PUBLISHED_API_CACHE_TTL_MS.
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { appVersions } from '@/db/schema';
import { onAppChanged, PUBLISHED_API_CACHE_TTL_MS, TtlCache } from '@/server/services/app-changes';
import type { WorkflowDefinition } from '@/workflows/dsl/definition';
import type { ApiApp } from './auth';
import { ApiError } from './errors';

export interface PublishedVersion {
  id: string;
  versionNumber: number | null;
  definition: WorkflowDefinition;
}

/** By `workspaceId:appId`. */
const latest = new TtlCache<string, PublishedVersion>(PUBLISHED_API_CACHE_TTL_MS);
onAppChanged((appId) => latest.invalidate((key) => key.split(':')[1] === appId));

export async function latestPublishedVersion(db: Db, app: ApiApp): Promise<PublishedVersion> {
  const found = await latest.getOrLoad(`${app.workspaceId}:${app.id}`, async () => {
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
    return version && { ...version, definition: version.definition as WorkflowDefinition };
  });
  if (!found)
    throw new ApiError(400, 'app_unavailable', 'The app has no published version: publish the app first');
  return found;
}
