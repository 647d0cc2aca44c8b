// The Publish tab: publish the draft and manage published versions.
import { PublishPanel } from '@/components/apps/publish-panel';

export default async function PublishPage({
  params,
}: {
  params: Promise<{ workspaceId: string; appId: string }>;
}) {
  const { workspaceId, appId } = await params;
  return <PublishPanel workspaceId={workspaceId} appId={appId} />;
}
