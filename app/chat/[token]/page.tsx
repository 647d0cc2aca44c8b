// /chat/<token>: an app's public chat page (and, with ?embed=1, the inside of the /embed.js
// bubble, without the conversation list). Unknown or disabled web chats, workflow apps and apps
// without a published version are a 404. Who may frame the page is set by proxy.ts.
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { WebChat } from '@/components/web-chat/web-chat';
import { getDatabase } from '@/db/client';
import { ApiError } from '@/server/public-api/errors';
import { resolveWebChat } from '@/server/public-api/web-chat';

export const dynamic = 'force-dynamic';

type Props = {
  params: Promise<{ token: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

async function load(token: string) {
  const database = await getDatabase();
  try {
    return await resolveWebChat(database.db, token);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) notFound();
    throw error;
  }
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const webChat = await load((await params).token);
  return { title: webChat.app.name, robots: { index: false, follow: false } };
}

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

function inputsOf(value: string | undefined): Record<string, unknown> {
  if (!value) return {};
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

export default async function ChatPage({ params, searchParams }: Props) {
  const { token } = await params;
  const query = await searchParams;
  const webChat = await load(token);
  const user = first(query.user)?.trim().slice(0, 200) || null;
  return (
    <WebChat
      token={token}
      name={webChat.app.name}
      description={webChat.app.description}
      embed={first(query.embed) === '1'}
      inputs={inputsOf(first(query.inputs))}
      user={user}
    />
  );
}
