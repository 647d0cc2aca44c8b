// One app's frame: header (icon, name, kind) and the Build / Runs / Publish / Settings tabs.
'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import { KIND_LABEL } from '@/components/apps/kinds';
import { useTRPC } from '@/components/trpc-provider';
import { buttonClass } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorBanner } from '@/components/ui/error-banner';
import { errorCode } from '@/components/ui/errors';

const TABS = [
  { segment: 'build', label: 'Build' },
  { segment: 'runs', label: 'Runs' },
  { segment: 'publish', label: 'Publish' },
  { segment: 'settings', label: 'Settings' },
] as const;

interface AppShellProps {
  workspaceId: string;
  appId: string;
  children: ReactNode;
}

export function AppShell({ workspaceId, appId, children }: AppShellProps) {
  const trpc = useTRPC();
  const pathname = usePathname();
  const app = useQuery(trpc.apps.get.queryOptions({ workspaceId, appId }));
  const base = `/studio/${workspaceId}/apps/${appId}`;
  const appsHref = `/studio/${workspaceId}`;

  const code = errorCode(app.error);
  if (code === 'NOT_FOUND' || code === 'BAD_REQUEST') {
    return (
      <EmptyState
        title="App not found"
        action={
          <Link href={appsHref} className={buttonClass('secondary')}>
            Back to apps
          </Link>
        }
      >
        It may have been deleted, or the link is wrong.
      </EmptyState>
    );
  }

  return (
    <div>
      <p className="muted">
        <Link href={appsHref}>← Apps</Link>
      </p>
      {app.error ? <ErrorBanner error={app.error} onRetry={() => app.refetch()} /> : null}
      <div className="page-header">
        <span className="app-icon" aria-hidden="true">
          {app.data?.icon ?? '…'}
        </span>
        <h1>{app.data?.name ?? 'Loading…'}</h1>
        {app.data ? <span className="badge badge-accent">{KIND_LABEL[app.data.kind]}</span> : null}
      </div>
      {app.data?.description ? <p className="muted">{app.data.description}</p> : null}
      <nav aria-label="App sections" className="tabs">
        {TABS.map((tab) => {
          const href = `${base}/${tab.segment}`;
          const active = pathname === href || pathname.startsWith(`${href}/`);
          return (
            <Link key={tab.segment} href={href} className="tab" aria-current={active ? 'page' : undefined}>
              {tab.label}
            </Link>
          );
        })}
      </nav>
      {children}
    </div>
  );
}
