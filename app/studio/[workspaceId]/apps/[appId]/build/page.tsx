// The Build tab: the app's draft definition.
import { DraftViewer } from '@/components/apps/draft-viewer';

export default async function BuildPage({
  params,
}: {
  params: Promise<{ workspaceId: string; appId: string }>;
}) {
  const { workspaceId, appId } = await params;
  return <DraftViewer workspaceId={workspaceId} appId={appId} />;
}
