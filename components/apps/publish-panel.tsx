// The Publish tab: publish the draft as a new version, list versions, restore one to the draft,
// manage the API keys integrators call the published app with, and see how the API is used.
'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiKeysPanel } from '@/components/apps/api-keys-panel';
import { ApiUsagePanel } from '@/components/apps/api-usage-panel';
import { WebChatSettings } from '@/components/apps/web-chat-settings';
import { ExportButtons } from '@/components/studio/export-buttons';
import { useTRPC } from '@/components/trpc-provider';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorBanner, SuccessBanner } from '@/components/ui/error-banner';
import { errorField } from '@/components/ui/errors';
import { TextField } from '@/components/ui/field';
import { TableHead } from '@/components/ui/table-head';
import { formatDateTime } from '@/components/ui/time';
import { useWorkspaceRole } from '@/components/workspace/use-workspace-role';

interface Version {
  id: string;
  versionNumber: number | null;
}

export function PublishPanel({ workspaceId, appId }: { workspaceId: string; appId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { canEdit, role } = useWorkspaceRole(workspaceId);
  const [note, setNote] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const [restoring, setRestoring] = useState<Version | null>(null);
  const versions = useQuery(trpc.apps.versions.queryOptions({ workspaceId, appId }));
  const draft = useQuery(trpc.apps.getDraft.queryOptions({ workspaceId, appId }));
  const inspection = useQuery({
    ...trpc.studio.inspect.queryOptions({ workspaceId, definition: draft.data?.definition ?? null }),
    enabled: Boolean(draft.data),
  });
  const problemCount = inspection.data?.problems.length ?? 0;

  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.apps.versions.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.apps.getDraft.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.apps.list.queryKey() }),
    ]);
  const publish = useMutation(
    trpc.apps.publish.mutationOptions({
      onSuccess: async (version) => {
        setNote('');
        setNotice(`Published v${version.versionNumber}.`);
        await refresh();
      },
    }),
  );
  const restore = useMutation(
    trpc.apps.restoreVersion.mutationOptions({
      onSuccess: async (result) => {
        setRestoring(null);
        setNotice(`Restored v${result.versionNumber} to the draft (now revision ${result.revision}).`);
        await refresh();
      },
    }),
  );

  function onPublish(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setNotice(null);
    publish.mutate({ workspaceId, appId, note: note.trim() || undefined });
  }

  return (
    <section className="stack">
      {notice ? <SuccessBanner>{notice}</SuccessBanner> : null}

      <form className="card stack" onSubmit={onPublish} noValidate>
        <h2>Publish</h2>
        <p className="muted">
          Publishing freezes the current draft as a new numbered version. The draft stays editable.
        </p>
        <ErrorBanner error={publish.error} labels={{ note: 'Version note' }} />
        <TextField
          label="Version note (optional)"
          value={note}
          onChange={(e) => setNote(e.target.value)}
          maxLength={500}
          placeholder="What changed?"
          invalid={errorField(publish.error) === 'note'}
          disabled={!canEdit}
        />
        <div>
          <Button
            type="submit"
            variant="primary"
            disabled={!canEdit || publish.isPending || !inspection.data || problemCount > 0}
          >
            {publish.isPending ? 'Publishing…' : 'Publish'}
          </Button>
        </div>
        {problemCount > 0 ? (
          <p className="hint">
            The draft has {problemCount} problem{problemCount === 1 ? '' : 's'}; fix them on the Build tab
            before publishing.
          </p>
        ) : null}
        {role && !canEdit ? <p className="hint">Only editors and owners can publish.</p> : null}
      </form>

      <h2>Published versions</h2>
      <ErrorBanner error={versions.error} />
      {versions.isPending ? <p className="muted">Loading…</p> : null}
      {versions.data?.length === 0 ? (
        <EmptyState title="No published versions">Publish the draft to create version 1.</EmptyState>
      ) : null}
      {versions.data && versions.data.length > 0 ? (
        <div className="card table-wrap" style={{ padding: 0 }}>
          <table className="table">
            <TableHead columns={['Version', 'Note', 'Changes', 'Published']} actions />
            <tbody>
              {versions.data.map((v) => (
                <tr key={v.id}>
                  <td>
                    <strong>v{v.versionNumber}</strong>
                  </td>
                  <td>{v.note || <span className="muted">No note</span>}</td>
                  <td>
                    <VersionChanges workspaceId={workspaceId} appId={appId} versionId={v.id} />
                  </td>
                  <td>{formatDateTime(v.createdAt)}</td>
                  <td style={{ textAlign: 'right' }}>
                    <ExportButtons
                      workspaceId={workspaceId}
                      appId={appId}
                      versionId={v.id}
                      label={`v${v.versionNumber}`}
                    />
                    <Button
                      small
                      disabled={!canEdit}
                      onClick={() => {
                        restore.reset();
                        setRestoring(v);
                      }}
                    >
                      Restore to draft
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}

      <ApiKeysPanel workspaceId={workspaceId} appId={appId} />
      <ApiUsagePanel workspaceId={workspaceId} appId={appId} />
      <WebChatSettings workspaceId={workspaceId} appId={appId} />

      {restoring ? (
        <ConfirmDialog
          title={`Restore v${restoring.versionNumber} to the draft?`}
          message="The current draft will be replaced by this version. Unpublished changes in the draft are lost unless they were published."
          confirmLabel="Restore"
          pendingLabel="Restoring…"
          pending={restore.isPending}
          error={restore.error}
          onConfirm={() => restore.mutate({ workspaceId, appId, versionId: restoring.id })}
          onCancel={() => setRestoring(null)}
        />
      ) : null}
    </section>
  );
}

/** What a version changed compared with the one before it. */
function VersionChanges(props: { workspaceId: string; appId: string; versionId: string }) {
  const trpc = useTRPC();
  const changes = useQuery(trpc.studio.versionChanges.queryOptions(props));
  if (changes.isPending) return <span className="muted">…</span>;
  if (changes.error) return <span className="muted">Not available</span>;
  return <span>{changes.data.text}</span>;
}
