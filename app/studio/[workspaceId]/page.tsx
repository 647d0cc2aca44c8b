// A workspace's home: its list of apps.
import { AppList } from '@/components/apps/app-list';

export default async function WorkspacePage({ params }: { params: Promise<{ workspaceId: string }> }) {
  const { workspaceId } = await params;
  return <AppList workspaceId={workspaceId} />;
}
