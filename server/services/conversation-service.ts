// Chat conversations and their messages, as the published API keeps them: per workspace, per app
// and per end user (the API's `user`), so one integrator's user never sees another's. Lists page
// the way Dify's Service API does: conversations newest first after `last_id`, messages oldest to
// newest before `first_id`. Deleting a conversation is soft (deleted_at), so its messages stay.
import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';
import { conversations, messages } from '@/db/schema';
import { executeText, jsonOrNull, sqlText } from '@/db/sql-text';
import { badInput, notFound } from '@/server/errors';

/** Whose conversations: one app of one workspace, one end user. */
export interface ConversationScope {
  workspaceId: string;
  appId: string;
  endUser: string;
}

export type MessageStatus = 'running' | 'succeeded' | 'failed' | 'stopped';
export type Feedback = 'like' | 'dislike';

export interface MessageUsage {
  promptTokens: number;
  completionTokens: number;
  cost: number;
}

export const CONVERSATION_NAME_MAX = 255;
export const PAGE_LIMIT_MAX = 100;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids that are not UUIDs cannot exist; checking first keeps PostgreSQL from refusing the cast. */
const isUuid = (id: string) => UUID.test(id);

const conversationColumns = {
  id: conversations.id,
  name: conversations.name,
  inputs: conversations.inputs,
  createdAt: conversations.createdAt,
  updatedAt: conversations.updatedAt,
};

const messageColumns = {
  id: messages.id,
  conversationId: messages.conversationId,
  runId: messages.runId,
  query: messages.query,
  inputs: messages.inputs,
  answer: messages.answer,
  status: messages.status,
  error: messages.error,
  usage: messages.usage,
  feedback: messages.feedback,
  createdAt: messages.createdAt,
  finishedAt: messages.finishedAt,
};

export type ConversationRow = {
  id: string;
  name: string;
  inputs: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
};

export type MessageRow = {
  id: string;
  conversationId: string;
  runId: string | null;
  query: string;
  inputs: Record<string, unknown>;
  answer: string;
  status: MessageStatus;
  error: unknown;
  usage: MessageUsage | null;
  feedback: Feedback | null;
  createdAt: Date;
  finishedAt: Date | null;
};

const asConversation = (row: { inputs: unknown } & Omit<ConversationRow, 'inputs'>): ConversationRow => ({
  ...row,
  inputs: (row.inputs ?? {}) as Record<string, unknown>,
});

const asMessage = (row: {
  inputs: unknown;
  status: string;
  usage: unknown;
  feedback: string | null;
  [k: string]: unknown;
}): MessageRow =>
  ({
    ...row,
    inputs: (row.inputs ?? {}) as Record<string, unknown>,
    status: row.status as MessageStatus,
    usage: (row.usage ?? null) as MessageUsage | null,
    feedback: (row.feedback ?? null) as Feedback | null,
  }) as MessageRow;

const ownConversation = (scope: ConversationScope) =>
  and(
    eq(conversations.workspaceId, scope.workspaceId),
    eq(conversations.appId, scope.appId),
    eq(conversations.endUser, scope.endUser),
    isNull(conversations.deletedAt),
  );

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_LIMIT_MAX)
    throw badInput('limit', `must be a whole number from 1 to ${PAGE_LIMIT_MAX}`);
  return limit;
}

/** A conversation's default name: the start of its first question. */
export function conversationNameFor(query: string): string {
  const line = query.replace(/\s+/g, ' ').trim();
  return line.length > 60 ? `${line.slice(0, 59)}…` : line || 'New conversation';
}

export async function createConversation(
  db: DbOrTx,
  scope: ConversationScope,
  input: { name?: string; inputs?: Record<string, unknown> } = {},
): Promise<ConversationRow> {
  const [row] = await db
    .insert(conversations)
    .values({
      workspaceId: scope.workspaceId,
      appId: scope.appId,
      endUser: scope.endUser,
      name: (input.name ?? '').slice(0, CONVERSATION_NAME_MAX),
      inputs: input.inputs ?? {},
    })
    .returning(conversationColumns);
  if (!row) throw new Error('conversation insert returned nothing');
  return asConversation(row);
}

/**
 * A new conversation with its first message (status running), in one statement: what a chat turn
 * without a conversation id writes.
 */
export async function startConversation(
  db: DbOrTx,
  scope: ConversationScope,
  input: { name: string; query: string; inputs?: Record<string, unknown>; runId?: string | null },
): Promise<{ conversation: ConversationRow; message: { id: string; createdAt: Date } }> {
  const inputs = JSON.stringify(input.inputs ?? {});
  const statement = sqlText`
    with c as (
      insert into conversations (workspace_id, app_id, end_user, name, inputs)
      values (${scope.workspaceId}::uuid, ${scope.appId}::uuid, ${scope.endUser},
              ${input.name.slice(0, CONVERSATION_NAME_MAX)}, ${inputs}::jsonb)
      returning id, name, inputs, created_at, updated_at
    ), m as (
      insert into messages (workspace_id, app_id, conversation_id, end_user, run_id, query, inputs, status)
      select ${scope.workspaceId}::uuid, ${scope.appId}::uuid, c.id, ${scope.endUser}, ${input.runId ?? null}::uuid,
             ${input.query}, ${inputs}::jsonb, 'running'
      from c
      returning id, created_at
    )
    select c.id, c.name, c.inputs, c.created_at, c.updated_at, m.id as message_id, m.created_at as message_created_at
    from c, m`;
  const [row] = await executeText<{
    id: string;
    name: string;
    inputs: unknown;
    created_at: string | Date;
    updated_at: string | Date;
    message_id: string;
    message_created_at: string | Date;
  }>(db, statement);
  if (!row) throw new Error('conversation insert returned nothing');
  return {
    conversation: asConversation({
      id: row.id,
      name: row.name,
      inputs: typeof row.inputs === 'string' ? JSON.parse(row.inputs) : row.inputs,
      createdAt: new Date(row.created_at),
      updatedAt: new Date(row.updated_at),
    }),
    message: { id: row.message_id, createdAt: new Date(row.message_created_at) },
  };
}

/** The scope's conversation `id`; another app's, another user's or a deleted one is not found. */
export async function getConversation(
  db: DbOrTx,
  scope: ConversationScope,
  id: string,
): Promise<ConversationRow> {
  if (!isUuid(id)) throw notFound('Conversation');
  const [row] = await db
    .select(conversationColumns)
    .from(conversations)
    .where(and(eq(conversations.id, id), ownConversation(scope)));
  if (!row) throw notFound('Conversation');
  return asConversation(row);
}

/** Conversations, most recently updated first; `lastId` continues after that conversation. */
export async function listConversations(
  db: DbOrTx,
  scope: ConversationScope,
  input: { lastId?: string | null; limit: number },
): Promise<{ data: ConversationRow[]; hasMore: boolean }> {
  const limit = checkLimit(input.limit);
  const after = input.lastId ? await getConversation(db, scope, input.lastId) : null;
  const rows = await db
    .select(conversationColumns)
    .from(conversations)
    .where(
      and(
        ownConversation(scope),
        after
          ? or(
              lt(conversations.updatedAt, after.updatedAt),
              and(eq(conversations.updatedAt, after.updatedAt), lt(conversations.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(conversations.updatedAt), desc(conversations.id))
    .limit(limit + 1);
  return { data: rows.slice(0, limit).map(asConversation), hasMore: rows.length > limit };
}

export async function renameConversation(
  db: DbOrTx,
  scope: ConversationScope,
  id: string,
  name: string,
): Promise<ConversationRow> {
  const trimmed = name.trim();
  if (!trimmed) throw badInput('name', 'is required');
  if (trimmed.length > CONVERSATION_NAME_MAX)
    throw badInput('name', `must be at most ${CONVERSATION_NAME_MAX} characters`);
  await getConversation(db, scope, id);
  const [row] = await db
    .update(conversations)
    .set({ name: trimmed, updatedAt: sql`now()` })
    .where(and(eq(conversations.id, id), ownConversation(scope)))
    .returning(conversationColumns);
  if (!row) throw notFound('Conversation');
  return asConversation(row);
}

/** Soft delete: the conversation disappears from the API; its messages are kept. */
export async function deleteConversation(db: DbOrTx, scope: ConversationScope, id: string): Promise<void> {
  if (!isUuid(id)) throw notFound('Conversation');
  const deleted = await db
    .update(conversations)
    .set({ deletedAt: sql`now()` })
    .where(and(eq(conversations.id, id), ownConversation(scope)))
    .returning({ id: conversations.id });
  if (deleted.length === 0) throw notFound('Conversation');
}

/**
 * Records a question (status running) and marks its conversation as just updated. `checked`: the
 * caller has just read the conversation in this scope, so it is not read again.
 */
export async function addMessage(
  db: DbOrTx,
  scope: ConversationScope,
  input: { conversationId: string; query: string; inputs?: Record<string, unknown>; runId?: string | null },
  conversation: 'unchecked' | 'checked' = 'unchecked',
): Promise<MessageRow> {
  if (conversation === 'unchecked') await getConversation(db, scope, input.conversationId);
  const [row] = await db
    .insert(messages)
    .values({
      workspaceId: scope.workspaceId,
      appId: scope.appId,
      conversationId: input.conversationId,
      endUser: scope.endUser,
      runId: input.runId ?? null,
      query: input.query,
      inputs: input.inputs ?? {},
      status: 'running',
    })
    .returning(messageColumns);
  if (!row) throw new Error('message insert returned nothing');
  await db
    .update(conversations)
    .set({ updatedAt: sql`greatest(now(), ${conversations.updatedAt})` })
    .where(eq(conversations.id, input.conversationId));
  return asMessage(row);
}

/**
 * Stores a message's outcome. Only a running message changes, so finishing twice (the stream and
 * the background watcher racing) keeps the first outcome; returns whether this call stored it.
 */
export async function finishMessage(
  db: DbOrTx,
  ref: { workspaceId: string; messageId: string },
  outcome: {
    answer: string;
    status: Exclude<MessageStatus, 'running'>;
    usage?: MessageUsage | null;
    error?: unknown;
  },
): Promise<boolean> {
  const updated = await executeText<{ id: string }>(
    db,
    sqlText`
    update messages set answer = ${outcome.answer}, status = ${outcome.status}, usage = ${jsonOrNull(outcome.usage)}::jsonb,
      error = ${jsonOrNull(outcome.error)}::jsonb, finished_at = now()
    where id = ${ref.messageId}::uuid and workspace_id = ${ref.workspaceId}::uuid and status = 'running'
    returning id`,
  );
  return updated.length > 0;
}

const ownMessage = (scope: ConversationScope) =>
  and(
    eq(messages.workspaceId, scope.workspaceId),
    eq(messages.appId, scope.appId),
    eq(messages.endUser, scope.endUser),
  );

/** One message of the scope, in a conversation that was not deleted. */
export async function getMessage(db: DbOrTx, scope: ConversationScope, id: string): Promise<MessageRow> {
  if (!isUuid(id)) throw notFound('Message');
  const [row] = await db
    .select(messageColumns)
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(and(eq(messages.id, id), ownMessage(scope), ownConversation(scope)));
  if (!row) throw notFound('Message');
  return asMessage(row);
}

/** The scope's message answered by run `runId` (a chat task id), or null. */
export async function getMessageByRun(
  db: DbOrTx,
  scope: ConversationScope,
  runId: string,
): Promise<MessageRow | null> {
  if (!isUuid(runId)) return null;
  const [row] = await db
    .select(messageColumns)
    .from(messages)
    .where(and(eq(messages.runId, runId), ownMessage(scope)));
  return row ? asMessage(row) : null;
}

/**
 * A page of a conversation's messages, oldest to newest: the latest `limit`, or with `firstId` the
 * `limit` just before that message. `hasMore` says whether older ones remain.
 */
export async function listMessages(
  db: DbOrTx,
  scope: ConversationScope,
  input: { conversationId: string; firstId?: string | null; limit: number },
): Promise<{ data: MessageRow[]; hasMore: boolean }> {
  const limit = checkLimit(input.limit);
  await getConversation(db, scope, input.conversationId);
  const before = input.firstId ? await getMessage(db, scope, input.firstId) : null;
  if (before && before.conversationId !== input.conversationId) throw notFound('Message');
  const rows = await db
    .select(messageColumns)
    .from(messages)
    .where(
      and(
        eq(messages.conversationId, input.conversationId),
        ownMessage(scope),
        before
          ? or(
              lt(messages.createdAt, before.createdAt),
              and(eq(messages.createdAt, before.createdAt), lt(messages.id, before.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(limit + 1);
  return { data: rows.slice(0, limit).reverse().map(asMessage), hasMore: rows.length > limit };
}

/** The conversation so far as chat turns (oldest first), for a start node's `history` input. */
export async function conversationHistory(
  db: DbOrTx,
  scope: ConversationScope,
  conversationId: string,
  maxMessages = 50,
): Promise<{ role: 'user' | 'assistant'; content: string }[]> {
  const rows = await db
    .select({ query: messages.query, answer: messages.answer, status: messages.status })
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), ownMessage(scope)))
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(maxMessages);
  return rows.reverse().flatMap((m) =>
    // A question without an answer (failed, stopped, still running) is left out with its turn.
    m.status === 'succeeded' && m.answer
      ? [
          { role: 'user' as const, content: m.query },
          { role: 'assistant' as const, content: m.answer },
        ]
      : [],
  );
}

/** Sets or clears (null) the end user's rating of an answer. */
export async function setMessageFeedback(
  db: DbOrTx,
  scope: ConversationScope,
  messageId: string,
  rating: Feedback | null,
): Promise<void> {
  const message = await getMessage(db, scope, messageId);
  await db
    .update(messages)
    .set({ feedback: rating })
    .where(and(eq(messages.id, message.id), ownMessage(scope)));
}
