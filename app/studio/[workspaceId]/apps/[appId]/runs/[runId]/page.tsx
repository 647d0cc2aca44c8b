// One run of the app: canvas with node statuses, node I/O, totals and the event timeline.
import { notFound } from 'next/navigation';
import { RunDetail } from '@/components/runs/run-detail';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function RunPage({
  params,
}: {
  params: Promise<{ workspaceId: string; appId: string; runId: string }>;
}) {
  const { workspaceId, appId, runId } = await params;
  if (!UUID.test(runId)) notFound();
  return <RunDetail workspaceId={workspaceId} appId={appId} runId={runId} />;
}
