// The Settings tab: rename, duplicate or delete the app.
import { AppSettings } from '@/components/apps/app-settings';

export default async function SettingsPage({
  params,
}: {
  params: Promise<{ workspaceId: string; appId: string }>;
}) {
  const { workspaceId, appId } = await params;
  return <AppSettings workspaceId={workspaceId} appId={appId} />;
}
