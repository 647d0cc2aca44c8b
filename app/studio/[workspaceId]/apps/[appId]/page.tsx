// An app's bare address opens its Build tab.
import { redirect } from 'next/navigation';

export default async function AppPage({
  params,
}: {
  params: Promise<{ workspaceId: string; appId: string }>;
}) {
  const { workspaceId, appId } = await params;
  redirect(`/studio/${workspaceId}/apps/${appId}/build`);
}
