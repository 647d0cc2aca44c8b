// The Build tab: the app's draft on the canvas, its node forms, problems and test runs.
import { BuildEditor } from '@/components/studio/build-editor';

export default async function BuildPage({
  params,
}: {
  params: Promise<{ workspaceId: string; appId: string }>;
}) {
  const { workspaceId, appId } = await params;
  return <BuildEditor workspaceId={workspaceId} appId={appId} />;
}
