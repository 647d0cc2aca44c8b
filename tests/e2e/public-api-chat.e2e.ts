// The chat side of the published API (/api/v1) on a real `npm start` server, with a mock model
// provider: the official `openai` SDK against /chat/completions (plain and streaming, with usage),
// Dify's `dify-client` ChatClient against /chat-messages (blocking and streaming, a conversation
// that carries its history), conversations and messages (list, feedback, delete), an answer that
// is stored although the client disconnected mid-stream, and app and user isolation.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { ChatClient } from 'dify-client';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockOpenAI, startMockOpenAI } from '../support/mock-openai';
import { allDifyEvents, type DifyEvent, difyEvents } from '../support/public-api-sse';
import {
  addMockProvider,
  createApiKey,
  edge,
  pos,
  publishApp,
  signUpOverHttp,
} from '../support/published-app';
import type { weftHttpClient } from '../support/weft-http-client';
import { startWeft, type WeftServer } from '../support/weft-server';

/** start { query, history } → streaming LLM (history as memory) → answer. */
const chatbot = {
  schemaVersion: 1,
  nodes: [
    {
      id: 'start',
      type: 'start',
      title: 'Start',
      config: {
        inputs: [
          { name: 'query', type: 'string', required: true },
          { name: 'history', type: 'array', required: false },
          { name: 'tone', type: 'string', required: false, default: 'kind' },
        ],
      },
      position: pos,
    },
    {
      id: 'reply',
      type: 'llm',
      title: 'Reply',
      config: {
        system: 'Be {{start.tone}}.',
        messages: [{ role: 'user', content: '{{start.query}}' }],
        memory: { history: '{{start.history}}' },
        stream: true,
      },
      position: pos,
    },
    { id: 'answer', type: 'answer', title: 'Answer', config: { text: '{{reply.text}}' }, position: pos },
  ],
  edges: [edge('start', 'reply'), edge('reply', 'answer')],
};

type ChatBody = Record<string, unknown>;

describe('published chat API (/api/v1)', () => {
  let server: WeftServer;
  let model: MockOpenAI;
  let client: ReturnType<typeof weftHttpClient>;
  let workspaceId: string;
  const keys: Record<string, string> = {};
  const v1 = (p: string) => `${server.url}/api/v1${p}`;

  async function createApp(name: string, kind: 'chat' | 'workflow', definition?: unknown) {
    const { appId } = await publishApp(client, workspaceId, { name, kind, definition });
    const { token } = await createApiKey(client, workspaceId, appId, `${name} key`);
    keys[name] = token;
    return token;
  }

  const post = (p: string, key: string | undefined, body: unknown, signal?: AbortSignal) =>
    fetch(v1(p), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      signal,
    });
  const get = (p: string, key: string) => fetch(v1(p), { headers: { authorization: `Bearer ${key}` } });
  const json = async (res: Response) => (await res.json()) as ChatBody;
  const dify = (key: string) => new ChatClient(key, `${server.url}/api/v1`);
  /** dify-client types `rating` as a number; Dify's API (and Weft's) takes like, dislike or null. */
  const rate = (bot: ChatClient, id: string, rating: 'like' | 'dislike' | null, user: string) =>
    bot.messageFeedback(id, rating as unknown as number, user);
  const openai = (key: string) => new OpenAI({ apiKey: key, baseURL: `${server.url}/api/v1`, maxRetries: 0 });
  /** The last model request's messages (what the LLM node sent the provider). */
  const lastModelMessages = () => {
    const chats = model.requests.filter((r) => r.path === '/v1/chat/completions');
    const body = chats.at(-1)?.body as { messages: { role: string; content: string }[] } | undefined;
    return body?.messages ?? [];
  };

  beforeAll(async () => {
    model = await startMockOpenAI({ apiKey: 'sk-e2e' });
    server = await startWeft({ WEFT_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'weft-e2e-chat-')) });
    ({ client, workspaceId } = await signUpOverHttp(server.url, {
      email: `chat.${Date.now()}@example.test`,
      name: 'Chat integrator',
    }));
    await addMockProvider(client, workspaceId, model, 'mock-gpt');
    await createApp('Bot', 'chat', chatbot);
    await createApp('OtherBot', 'chat', chatbot);
    await createApp('Flow', 'workflow');
  });
  afterAll(async () => {
    await server?.stop();
    await model?.close();
  });

  it('answers the openai SDK without streaming, with usage', async () => {
    const completion = await openai(keys.Bot as string).chat.completions.create({
      model: 'my-bot',
      messages: [
        { role: 'system', content: 'ignored' },
        { role: 'user', content: 'Earlier question' },
        { role: 'assistant', content: 'Earlier answer' },
        { role: 'user', content: 'Hello there' },
      ],
    });
    expect(completion).toMatchObject({
      object: 'chat.completion',
      model: 'my-bot',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Echo: Hello there' }, finish_reason: 'stop' },
      ],
    });
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.created).toEqual(expect.any(Number));
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
    expect(completion.usage?.total_tokens).toBe(
      (completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0),
    );
    // The earlier messages went to the model as history.
    expect(lastModelMessages()).toEqual([
      { role: 'system', content: 'Be kind.' },
      { role: 'user', content: 'Earlier question' },
      { role: 'assistant', content: 'Earlier answer' },
      { role: 'user', content: 'Hello there' },
    ]);
  });

  it('streams to the openai SDK, ending with usage', async () => {
    const stream = await openai(keys.Bot as string).chat.completions.create({
      model: 'my-bot',
      messages: [{ role: 'user', content: 'Stream this please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === 'my-bot')).toBe(true);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    expect(text).toBe('Echo: Stream this please');
    // Streamed in more than one piece, as the model wrote it.
    expect(chunks.filter((c) => c.choices[0]?.delta?.content).length).toBeGreaterThan(1);
    expect(chunks[0]?.choices[0]?.delta?.role).toBe('assistant');
    const finish = chunks.find((c) => c.choices[0]?.finish_reason);
    expect(finish?.choices[0]?.finish_reason).toBe('stop');
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('refuses bad requests and keys in OpenAI’s error shape', async () => {
    const bad = await openai(keys.Bot as string)
      .chat.completions.create({ model: 'x', messages: [] })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect(bad).toMatchObject({ status: 400, param: 'messages', type: 'invalid_request_error' });

    const wrongRole = await post('/chat/completions', keys.Bot, {
      model: 'x',
      messages: [{ role: 'robot', content: 'hi' }],
    });
    expect(wrongRole.status).toBe(400);
    expect(await json(wrongRole)).toMatchObject({
      error: { type: 'invalid_request_error', param: 'messages[0].role' },
    });
    const noModel = await json(await post('/chat/completions', keys.Bot, { messages: [] }));
    expect(noModel).toMatchObject({ error: { param: 'model', message: 'model: is required' } });

    const unauthorized = await openai('app-not-a-real-key')
      .chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(unauthorized).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(unauthorized).toMatchObject({ status: 401, code: 'invalid_api_key' });

    const workflow = await post('/chat/completions', keys.Flow, {
      model: 'x',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(workflow.status).toBe(400);
    expect(await json(workflow)).toMatchObject({ error: { param: 'model' } });
  });

  it('chats through dify-client: blocking, then streaming in the same conversation with history', async () => {
    const bot = dify(keys.Bot as string);
    const first = (await bot.createChatMessage({}, 'What is Weft?', 'dify-user')).data as ChatBody;
    expect(first).toMatchObject({
      event: 'message',
      mode: 'advanced-chat',
      answer: 'Echo: What is Weft?',
      metadata: { usage: { currency: 'USD' } },
    });
    expect(first.id).toBe(first.message_id);
    expect(first.task_id).toEqual(expect.any(String));
    expect(first.created_at).toEqual(expect.any(Number));
    const usage = (first.metadata as { usage: Record<string, number> }).usage;
    expect(usage.total_tokens).toBe((usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0));
    expect(usage.completion_tokens).toBeGreaterThan(0);
    const conversationId = first.conversation_id as string;

    const streamed = await bot.createChatMessage(
      { tone: 'brief' },
      'Tell me more',
      'dify-user',
      true,
      conversationId,
    );
    const events = await allDifyEvents(new Response(Readable.toWeb(streamed.data) as ReadableStream));
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('workflow_started');
    expect(names.slice(-2)).toEqual(['workflow_finished', 'message_end']);
    expect(names).toContain('node_started');
    expect(names).toContain('node_finished');
    const chunks = events.filter((e) => e.event === 'message');
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.map((e) => e.answer).join('')).toBe('Echo: Tell me more');
    const end = events.at(-1) as DifyEvent;
    for (const event of events) {
      expect(event.conversation_id).toBe(conversationId);
      expect(event.message_id).toBe(end.message_id);
      expect(event.task_id).toBe(end.task_id);
    }
    expect(end.metadata).toMatchObject({ usage: { total_tokens: expect.any(Number), currency: 'USD' } });
    expect(events.find((e) => e.event === 'workflow_finished')?.data).toMatchObject({
      status: 'succeeded',
      outputs: { answer: 'Echo: Tell me more' },
    });
    // The second turn carried the first as history.
    expect(lastModelMessages()).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'What is Weft?' },
      { role: 'assistant', content: 'Echo: What is Weft?' },
      { role: 'user', content: 'Tell me more' },
    ]);

    // Conversations and messages, as dify-client reads them.
    const conversations = (await bot.getConversations('dify-user')).data as ChatBody;
    expect(conversations).toMatchObject({ limit: 20, has_more: false });
    expect(conversations.data).toEqual([
      {
        id: conversationId,
        name: 'What is Weft?',
        inputs: {},
        status: 'normal',
        introduction: '',
        created_at: expect.any(Number),
        updated_at: expect.any(Number),
      },
    ]);
    const listed = (await bot.getConversationMessages('dify-user', conversationId)).data as {
      data: ChatBody[];
      has_more: boolean;
      limit: number;
    };
    expect(listed).toMatchObject({ limit: 20, has_more: false });
    expect(listed.data.map((m) => [m.query, m.answer])).toEqual([
      ['What is Weft?', 'Echo: What is Weft?'],
      ['Tell me more', 'Echo: Tell me more'],
    ]);
    expect(listed.data[1]).toMatchObject({
      id: end.message_id,
      conversation_id: conversationId,
      inputs: { tone: 'brief' },
      feedback: null,
      created_at: expect.any(Number),
    });
    // Paging: the one before the second.
    const page = (await bot.getConversationMessages('dify-user', conversationId, end.message_id as string, 1))
      .data as { data: ChatBody[]; has_more: boolean };
    expect(page.data.map((m) => m.id)).toEqual([first.id]);
    expect(page.has_more).toBe(false);

    // Feedback.
    expect((await rate(bot, first.id as string, 'like', 'dify-user')).data).toEqual({
      result: 'success',
    });
    let again = (await bot.getConversationMessages('dify-user', conversationId)).data as { data: ChatBody[] };
    expect(again.data[0]?.feedback).toEqual({ rating: 'like' });
    await rate(bot, first.id as string, null, 'dify-user');
    again = (await bot.getConversationMessages('dify-user', conversationId)).data as { data: ChatBody[] };
    expect(again.data[0]?.feedback).toBeNull();

    // Another user of the same app sees none of it.
    const stranger = (await bot.getConversations('someone-else')).data as ChatBody;
    expect(stranger.data).toEqual([]);
    expect(
      (await get(`/messages?user=someone-else&conversation_id=${conversationId}`, keys.Bot as string)).status,
    ).toBe(404);
    const hijack = await post('/chat-messages', keys.Bot, {
      query: 'mine now',
      user: 'someone-else',
      conversation_id: conversationId,
      response_mode: 'blocking',
    });
    expect(hijack.status).toBe(404);

    // Delete.
    expect((await bot.deleteConversation(conversationId, 'dify-user')).data).toEqual({ result: 'success' });
    expect(((await bot.getConversations('dify-user')).data as ChatBody).data).toEqual([]);
    expect(
      (await get(`/messages?user=dify-user&conversation_id=${conversationId}`, keys.Bot as string)).status,
    ).toBe(404);
  });

  it('stores the whole answer when the client disconnects mid-stream', async () => {
    const answer = 'one two three four five six seven eight nine ten';
    model.enqueue({ content: answer });
    model.setOptions({ chunkLatencyMs: 150 });
    try {
      const abort = new AbortController();
      const res = await post(
        '/chat-messages',
        keys.Bot,
        { query: 'Count to ten', user: 'leaver', response_mode: 'streaming' },
        abort.signal,
      );
      let message: DifyEvent | undefined;
      for await (const event of difyEvents(res)) {
        if (event.event === 'message') {
          message = event;
          break;
        }
      }
      abort.abort();
      expect(message?.answer).toBe('one ');
      const conversationId = message?.conversation_id as string;
      let stored: ChatBody | undefined;
      for (let i = 0; i < 80; i++) {
        const listed = await json(
          await get(`/messages?user=leaver&conversation_id=${conversationId}`, keys.Bot as string),
        );
        stored = (listed.data as ChatBody[])[0];
        if (stored?.answer === answer) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(stored).toMatchObject({
        id: message?.message_id,
        query: 'Count to ten',
        answer,
        status: 'normal',
      });
    } finally {
      model.setOptions({ chunkLatencyMs: 0 });
    }
  });

  it('stops a streaming message', async () => {
    model.setOptions({ chunkLatencyMs: 400 });
    try {
      const res = await post('/chat-messages', keys.Bot, {
        query: 'a b c d e f g h i j k l m n o p',
        user: 'stopper',
        response_mode: 'streaming',
      });
      const stream = difyEvents(res);
      const first = (await stream.next()).value as DifyEvent;
      const taskId = first.task_id as string;
      // Not another user's, not another app's.
      expect((await post(`/chat-messages/${taskId}/stop`, keys.Bot, { user: 'other' })).status).toBe(404);
      expect((await post(`/chat-messages/${taskId}/stop`, keys.OtherBot, { user: 'stopper' })).status).toBe(
        404,
      );
      const stop = await post(`/chat-messages/${taskId}/stop`, keys.Bot, { user: 'stopper' });
      expect(stop.status).toBe(200);
      expect(await stop.json()).toEqual({ result: 'success' });
      const rest: DifyEvent[] = [];
      for await (const event of stream) rest.push(event);
      expect(rest.find((e) => e.event === 'workflow_finished')?.data).toMatchObject({ status: 'stopped' });
      expect(rest.at(-1)?.event).toBe('message_end');
    } finally {
      model.setOptions({ chunkLatencyMs: 0 });
    }
  });

  it("keeps one app's conversations from another app's key", async () => {
    const mine = await json(
      await post('/chat-messages', keys.Bot, {
        query: 'Private',
        user: 'shared-user',
        response_mode: 'blocking',
      }),
    );
    const conversationId = mine.conversation_id as string;
    const other = keys.OtherBot as string;
    expect(await json(await get('/conversations?user=shared-user', other))).toMatchObject({ data: [] });
    const messages = await get(`/messages?user=shared-user&conversation_id=${conversationId}`, other);
    expect(messages.status).toBe(404);
    expect(await messages.json()).toMatchObject({ code: 'not_found', status: 404 });
    const feedback = await post(`/messages/${mine.message_id}/feedbacks`, other, {
      rating: 'dislike',
      user: 'shared-user',
    });
    expect(feedback.status).toBe(404);
    const del = await fetch(v1(`/conversations/${conversationId}?user=shared-user`), {
      method: 'DELETE',
      headers: { authorization: `Bearer ${other}` },
    });
    expect(del.status).toBe(404);
    const cont = await post('/chat-messages', other, {
      query: 'Continue it',
      user: 'shared-user',
      conversation_id: conversationId,
      response_mode: 'blocking',
    });
    expect(cont.status).toBe(404);
    // Still there for its own app.
    expect(
      ((await json(await get('/conversations?user=shared-user', keys.Bot as string))).data as unknown[])
        .length,
    ).toBe(1);
  });

  it('refuses bad fields with a 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ user: 'u', response_mode: 'blocking' }, 'query: is required'],
      [{ query: 'hi', response_mode: 'blocking' }, 'user: is required'],
      [{ query: 'hi', user: 'u', response_mode: 'fast' }, 'response_mode: must be blocking or streaming'],
      [{ query: 'hi', user: 'u', inputs: 'x' }, 'inputs: must be an object'],
      [{ query: 'hi', user: 'u', inputs: { nope: 1 } }, 'inputs.nope: is not a declared input'],
    ];
    for (const [body, message] of cases) {
      const res = await post('/chat-messages', keys.Bot, body);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ code: 'invalid_param', message, status: 400 });
    }
    const noUser = await get('/conversations', keys.Bot as string);
    expect(noUser.status).toBe(400);
    expect(await noUser.json()).toMatchObject({ message: 'user: is required' });
    const badLimit = await get('/conversations?user=u&limit=1000', keys.Bot as string);
    expect(await badLimit.json()).toMatchObject({ status: 400, message: 'limit: must be at most 100' });
    const noConversation = await get('/messages?user=u', keys.Bot as string);
    expect(await noConversation.json()).toMatchObject({
      status: 400,
      message: 'conversation_id: is required',
    });
    const badRating = await post('/messages/00000000-0000-4000-8000-000000000000/feedbacks', keys.Bot, {
      rating: 'meh',
      user: 'u',
    });
    expect(await badRating.json()).toMatchObject({
      status: 400,
      message: 'rating: must be like, dislike or null',
    });
    const unknownConversation = await post('/chat-messages', keys.Bot, {
      query: 'hi',
      user: 'u',
      conversation_id: '00000000-0000-4000-8000-000000000000',
    });
    expect(unknownConversation.status).toBe(404);
    const workflow = await post('/chat-messages', keys.Flow, { query: 'hi', user: 'u' });
    expect(workflow.status).toBe(400);
  });
});
