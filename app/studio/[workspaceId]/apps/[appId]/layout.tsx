// The frame around an app's tabs.
import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { AppShell } from '@/components/apps/app-shell';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function AppLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ workspaceId: string; appId: string }>;
}) {
  const { workspaceId, appId } = await params;
  if (!UUID.test(appId)) notFound();
  return (
    <AppShell workspaceId={workspaceId} appId={appId}>
      {children}
    </AppShell>
  );
}
