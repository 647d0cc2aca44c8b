// The Runs tab: the app's runs with status, version and timing.
import { RunList } from '@/components/runs/run-list';

export default async function RunsPage({
  params,
}: {
  params: Promise<{ workspaceId: string; appId: string }>;
}) {
  const { workspaceId, appId } = await params;
  return <RunList workspaceId={workspaceId} appId={appId} />;
}
