// The workspace's apps: search, cards linking to each app, and the "Create app" dialog.
'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { type ReactNode, useState } from 'react';
import { KIND_LABEL } from '@/components/apps/kinds';
import { useTRPC } from '@/components/trpc-provider';
import { Button } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorBanner } from '@/components/ui/error-banner';
import { RelativeTime } from '@/components/ui/time';
import { useDebounced } from '@/components/ui/use-debounced';
import { useWorkspaceRole } from '@/components/workspace/use-workspace-role';
import { CreateAppDialog } from './create-app-dialog';
import { ImportAppDialog } from './import-app-dialog';
import { TemplateGallery } from './template-gallery';

export function AppList({ workspaceId }: { workspaceId: string }) {
  const trpc = useTRPC();
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);
  const [importing, setImporting] = useState(false);
  const term = useDebounced(search.trim(), 200);
  const { canEdit } = useWorkspaceRole(workspaceId);
  const apps = useQuery(
    trpc.apps.list.queryOptions(
      { workspaceId, search: term || undefined },
      { placeholderData: keepPreviousData },
    ),
  );

  const createButton = canEdit ? (
    <Button variant="primary" onClick={() => setCreating(true)}>
      Create app
    </Button>
  ) : null;

  let body: ReactNode;
  if (apps.isPending) {
    body = (
      <div aria-busy="true">
        <p className="muted">Loading…</p>
        <div className="card-grid">
          <div className="skeleton" />
          <div className="skeleton" />
          <div className="skeleton" />
        </div>
      </div>
    );
  } else if (apps.error) {
    body = <ErrorBanner error={apps.error} onRetry={() => apps.refetch()} />;
  } else if (apps.data.length === 0 && !term) {
    body = (
      <EmptyState title="No apps yet" action={createButton}>
        {canEdit
          ? 'Create a chat assistant or a workflow to get started.'
          : 'When an editor creates an app, it will show up here.'}
      </EmptyState>
    );
  } else if (apps.data.length === 0) {
    body = (
      <EmptyState title={`No apps match “${term}”`}>Try a different name, or clear the search.</EmptyState>
    );
  } else {
    body = (
      <ul className="card-grid">
        {apps.data.map((app) => (
          <li key={app.id} className="card app-card">
            <div className="row">
              <span className="app-icon" aria-hidden="true">
                {app.icon}
              </span>
              <h2>
                <Link className="card-link" href={`/studio/${workspaceId}/apps/${app.id}/build`}>
                  {app.name}
                </Link>
              </h2>
              <span className="spacer" />
              <span className="badge badge-accent">{KIND_LABEL[app.kind]}</span>
            </div>
            <p className="muted">{app.description || 'No description'}</p>
            <div className="row muted">
              <span className="badge">{app.latestVersion ? `v${app.latestVersion}` : 'Draft only'}</span>
              <span>
                Updated <RelativeTime date={app.updatedAt} />
              </span>
            </div>
          </li>
        ))}
      </ul>
    );
  }

  return (
    <section className="stack">
      <div className="page-header">
        <h1>Apps</h1>
        <span className="spacer" />
        <input
          type="search"
          aria-label="Search apps"
          placeholder="Search apps…"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          style={{ width: '16rem' }}
          maxLength={100}
        />
        {canEdit ? <Button onClick={() => setImporting(true)}>Import…</Button> : null}
        {createButton}
      </div>
      {body}
      {canEdit ? <TemplateGallery workspaceId={workspaceId} /> : null}
      {creating ? <CreateAppDialog workspaceId={workspaceId} onClose={() => setCreating(false)} /> : null}
      {importing ? <ImportAppDialog workspaceId={workspaceId} onClose={() => setImporting(false)} /> : null}
    </section>
  );
}
