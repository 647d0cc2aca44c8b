// Conversations and messages of the published API against real databases: scoped per workspace,
// app and end user; listed newest first with Dify's last_id paging; messages oldest to newest with
// first_id paging; soft delete; a message recorded running and finished once; feedback.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { conversations, messages } from '@/db/schema';
import { DomainError } from '@/server/errors';
import {
  addMessage,
  type ConversationScope,
  conversationHistory,
  createConversation,
  deleteConversation,
  finishMessage,
  getConversation,
  getMessage,
  getMessageByRun,
  listConversations,
  listMessages,
  renameConversation,
  setMessageFeedback,
} from '@/server/services/conversation-service';
import { testDatabases } from '../support/databases';
import { signUpUser } from '../support/trpc-harness';

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  return undefined;
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe.each(testDatabases())('conversations on $name', ({ open }) => {
  let database: Database;
  let alice: ConversationScope;
  let bob: ConversationScope;
  let otherApp: ConversationScope;
  let otherWorkspace: ConversationScope;

  beforeAll(async () => {
    database = await open();
    const owner = await signUpUser(database.db, 'chat-owner');
    const ws = { workspaceId: owner.workspaceId };
    const app = await owner.caller.apps.create({ ...ws, name: 'Help bot', kind: 'chat' });
    const second = await owner.caller.apps.create({ ...ws, name: 'Other bot', kind: 'chat' });
    alice = { workspaceId: owner.workspaceId, appId: app.id, endUser: 'alice' };
    bob = { ...alice, endUser: 'bob' };
    otherApp = { ...alice, appId: second.id };
    const stranger = await signUpUser(database.db, 'chat-stranger');
    const strangerApp = await stranger.caller.apps.create({
      workspaceId: stranger.workspaceId,
      name: 'Stranger bot',
      kind: 'chat',
    });
    otherWorkspace = { workspaceId: stranger.workspaceId, appId: strangerApp.id, endUser: 'alice' };
  });
  afterAll(() => database.close());

  it('creates a conversation only its app and user can read', async () => {
    const created = await createConversation(database.db, alice, { name: 'Hello', inputs: { lang: 'en' } });
    expect(created).toMatchObject({ name: 'Hello', inputs: { lang: 'en' } });
    expect(await getConversation(database.db, alice, created.id)).toEqual(created);
    for (const scope of [bob, otherApp, otherWorkspace])
      expect(await codeOf(getConversation(database.db, scope, created.id))).toBe('NOT_FOUND');
    expect(await codeOf(getConversation(database.db, alice, 'not-a-uuid'))).toBe('NOT_FOUND');
  });

  it('lists conversations most recently updated first, paging with last_id', async () => {
    const scope = { ...alice, endUser: 'pager' };
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await createConversation(database.db, scope, { name: `c${i}` })).id);
      await tick();
    }
    // A new message moves a conversation to the top.
    await addMessage(database.db, scope, { conversationId: ids[1] as string, query: 'bump' });
    const first = await listConversations(database.db, scope, { limit: 2 });
    expect(first.data.map((c) => c.name)).toEqual(['c1', 'c4']);
    expect(first.hasMore).toBe(true);
    const second = await listConversations(database.db, scope, { limit: 2, lastId: first.data[1]?.id });
    expect(second.data.map((c) => c.name)).toEqual(['c3', 'c2']);
    expect(second.hasMore).toBe(true);
    const third = await listConversations(database.db, scope, { limit: 2, lastId: second.data[1]?.id });
    expect(third.data.map((c) => c.name)).toEqual(['c0']);
    expect(third.hasMore).toBe(false);
    // Nobody else sees them.
    expect((await listConversations(database.db, { ...bob, endUser: 'pager2' }, { limit: 20 })).data).toEqual(
      [],
    );
    expect(
      (await listConversations(database.db, { ...otherApp, endUser: 'pager' }, { limit: 20 })).data,
    ).toEqual([]);
    expect(await codeOf(listConversations(database.db, scope, { limit: 0 }))).toBe('BAD_REQUEST');
    expect(await codeOf(listConversations(database.db, scope, { limit: 101 }))).toBe('BAD_REQUEST');
  });

  it('renames and soft-deletes, keeping the messages', async () => {
    const conversation = await createConversation(database.db, alice, { name: 'Old' });
    const message = await addMessage(database.db, alice, { conversationId: conversation.id, query: 'hi' });
    expect((await renameConversation(database.db, alice, conversation.id, '  New  ')).name).toBe('New');
    expect(await codeOf(renameConversation(database.db, bob, conversation.id, 'Mine'))).toBe('NOT_FOUND');
    expect(await codeOf(renameConversation(database.db, alice, conversation.id, ' '))).toBe('BAD_REQUEST');

    expect(await codeOf(deleteConversation(database.db, bob, conversation.id))).toBe('NOT_FOUND');
    expect(await codeOf(deleteConversation(database.db, otherApp, conversation.id))).toBe('NOT_FOUND');
    await deleteConversation(database.db, alice, conversation.id);
    expect(await codeOf(getConversation(database.db, alice, conversation.id))).toBe('NOT_FOUND');
    expect(await codeOf(deleteConversation(database.db, alice, conversation.id))).toBe('NOT_FOUND');
    const listed = await listConversations(database.db, alice, { limit: 100 });
    expect(listed.data.map((c) => c.id)).not.toContain(conversation.id);
    const [row] = await database.db.select().from(conversations).where(eq(conversations.id, conversation.id));
    expect(row?.deletedAt).toBeInstanceOf(Date);
    const kept = await database.db.select().from(messages).where(eq(messages.id, message.id));
    expect(kept).toHaveLength(1);
    // Its messages are no longer reachable through the API.
    expect(await codeOf(getMessage(database.db, alice, message.id))).toBe('NOT_FOUND');
  });

  it('records a message running, finishes it once, and pages messages oldest first', async () => {
    const conversation = await createConversation(database.db, alice);
    const made = [];
    for (let i = 0; i < 5; i++) {
      made.push(
        await addMessage(database.db, alice, {
          conversationId: conversation.id,
          query: `q${i}`,
          inputs: { i },
        }),
      );
      await tick();
    }
    expect(made[0]).toMatchObject({
      status: 'running',
      answer: '',
      query: 'q0',
      inputs: { i: 0 },
      feedback: null,
    });
    const target = { workspaceId: alice.workspaceId, messageId: made[0]?.id as string };
    expect(
      await finishMessage(database.db, target, {
        answer: 'a0',
        status: 'succeeded',
        usage: { promptTokens: 3, completionTokens: 4, cost: 0.5 },
      }),
    ).toBe(true);
    // A second outcome (the stream racing the watcher) changes nothing.
    expect(await finishMessage(database.db, target, { answer: 'other', status: 'failed' })).toBe(false);
    // Another workspace cannot finish it.
    expect(
      await finishMessage(
        database.db,
        { workspaceId: otherWorkspace.workspaceId, messageId: made[1]?.id as string },
        { answer: 'x', status: 'succeeded' },
      ),
    ).toBe(false);
    const stored = await getMessage(database.db, alice, made[0]?.id as string);
    expect(stored).toMatchObject({
      answer: 'a0',
      status: 'succeeded',
      usage: { promptTokens: 3, completionTokens: 4, cost: 0.5 },
    });
    expect(stored.finishedAt).toBeInstanceOf(Date);

    const latest = await listMessages(database.db, alice, { conversationId: conversation.id, limit: 2 });
    expect(latest.data.map((m) => m.query)).toEqual(['q3', 'q4']);
    expect(latest.hasMore).toBe(true);
    const older = await listMessages(database.db, alice, {
      conversationId: conversation.id,
      limit: 2,
      firstId: latest.data[0]?.id,
    });
    expect(older.data.map((m) => m.query)).toEqual(['q1', 'q2']);
    expect(older.hasMore).toBe(true);
    const oldest = await listMessages(database.db, alice, {
      conversationId: conversation.id,
      limit: 2,
      firstId: older.data[0]?.id,
    });
    expect(oldest.data.map((m) => m.query)).toEqual(['q0']);
    expect(oldest.hasMore).toBe(false);

    expect(await codeOf(listMessages(database.db, bob, { conversationId: conversation.id, limit: 20 }))).toBe(
      'NOT_FOUND',
    );
    expect(
      await codeOf(listMessages(database.db, otherApp, { conversationId: conversation.id, limit: 20 })),
    ).toBe('NOT_FOUND');
    expect(await codeOf(addMessage(database.db, bob, { conversationId: conversation.id, query: 'x' }))).toBe(
      'NOT_FOUND',
    );
  });

  it('gives the finished turns as history, oldest first', async () => {
    const conversation = await createConversation(database.db, alice);
    const first = await addMessage(database.db, alice, { conversationId: conversation.id, query: 'Hi' });
    await finishMessage(
      database.db,
      { workspaceId: alice.workspaceId, messageId: first.id },
      { answer: 'Hello!', status: 'succeeded' },
    );
    await tick();
    const failed = await addMessage(database.db, alice, { conversationId: conversation.id, query: 'Oops' });
    await finishMessage(
      database.db,
      { workspaceId: alice.workspaceId, messageId: failed.id },
      { answer: '', status: 'failed', error: { message: 'boom' } },
    );
    await tick();
    const second = await addMessage(database.db, alice, {
      conversationId: conversation.id,
      query: 'How are you?',
    });
    await finishMessage(
      database.db,
      { workspaceId: alice.workspaceId, messageId: second.id },
      { answer: 'Fine.', status: 'succeeded' },
    );
    await tick();
    await addMessage(database.db, alice, { conversationId: conversation.id, query: 'Still running' });
    expect(await conversationHistory(database.db, alice, conversation.id)).toEqual([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'How are you?' },
      { role: 'assistant', content: 'Fine.' },
    ]);
    expect(await conversationHistory(database.db, bob, conversation.id)).toEqual([]);
  });

  it('sets and clears feedback, only on the user’s own messages', async () => {
    const conversation = await createConversation(database.db, alice);
    const message = await addMessage(database.db, alice, {
      conversationId: conversation.id,
      query: 'Rate me',
    });
    await setMessageFeedback(database.db, alice, message.id, 'like');
    expect((await getMessage(database.db, alice, message.id)).feedback).toBe('like');
    await setMessageFeedback(database.db, alice, message.id, 'dislike');
    expect((await getMessage(database.db, alice, message.id)).feedback).toBe('dislike');
    await setMessageFeedback(database.db, alice, message.id, null);
    expect((await getMessage(database.db, alice, message.id)).feedback).toBeNull();
    for (const scope of [bob, otherApp, otherWorkspace])
      expect(await codeOf(setMessageFeedback(database.db, scope, message.id, 'like'))).toBe('NOT_FOUND');
    expect(await codeOf(setMessageFeedback(database.db, alice, 'nope', 'like'))).toBe('NOT_FOUND');
    expect((await getMessage(database.db, alice, message.id)).feedback).toBeNull();
  });

  it('finds a message by its run only within the scope', async () => {
    expect(await getMessageByRun(database.db, alice, 'not-a-uuid')).toBeNull();
    expect(await getMessageByRun(database.db, alice, '00000000-0000-4000-8000-000000000000')).toBeNull();
  });
});
