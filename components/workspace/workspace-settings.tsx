// Workspace settings page: the model providers model nodes call, the secrets nodes reference and
// where review notifications go; what each role sees comes from `useWorkspaceRole`.
'use client';

import { ErrorBanner } from '@/components/ui/error-banner';
import { ProvidersPanel } from './providers-panel';
import { ReviewNotificationsSettings } from './review-notifications-settings';
import { SecretsPanel } from './secrets-panel';
import { useWorkspaceRole } from './use-workspace-role';

export function WorkspaceSettings({ workspaceId }: { workspaceId: string }) {
  const { workspace, role, canEdit, isOwner, query } = useWorkspaceRole(workspaceId);

  return (
    <section className="stack">
      <div className="page-header">
        <h1>Settings</h1>
        {workspace ? <span className="muted">of {workspace.name}</span> : null}
      </div>
      {query.error ? <ErrorBanner error={query.error} onRetry={() => query.refetch()} /> : null}
      {query.isPending ? <p className="muted">Loading…</p> : null}
      {role ? (
        <>
          <ProvidersPanel workspaceId={workspaceId} canEdit={canEdit} isOwner={isOwner} />
          <SecretsPanel workspaceId={workspaceId} canEdit={canEdit} isOwner={isOwner} />
          <ReviewNotificationsSettings workspaceId={workspaceId} isOwner={isOwner} />
        </>
      ) : null}
    </section>
  );
}
