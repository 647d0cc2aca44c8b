// The mock OpenAI server's /v1/chat/completions: parses the request, builds the completion from
// the scripted or default reply (echo of the last user message) with deterministic usage, and
// answers it as one JSON body or as SSE chunks (words, then tool-call arguments in pieces).
import type { ServerResponse } from 'node:http';
import { approxTokens, badRequest, isRecord, type MockReply, type Responder } from './mock-openai-shared';

export interface ChatMessage {
  role: string;
  content?: unknown;
  name?: string;
  tool_calls?: unknown;
  tool_call_id?: string;
  [key: string]: unknown;
}

export interface ChatCompletionRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  response_format?: { type: string; [key: string]: unknown };
  tools?: unknown[];
  [key: string]: unknown;
}

/** The latencies in effect, read when they apply (options can change mid-response). */
export interface ChatTiming {
  firstTokenLatencyMs?: number;
  chunkLatencyMs?: number;
}

interface ToolCall {
  index: number;
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

interface Completion {
  id: string;
  created: number;
  model: string;
  content: string | null;
  toolCalls: ToolCall[];
  finishReason: 'tool_calls' | 'stop';
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

/** Flattens a message `content` (string, null or array of parts) into plain text. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const parts: string[] = [];
  for (const part of content) {
    if (typeof part === 'string') parts.push(part);
    else if (isRecord(part) && typeof part.text === 'string') parts.push(part.text);
  }
  return parts.join('');
}

/** `Echo: <text of the last user message>`. */
export function defaultReply(req: ChatCompletionRequest): string {
  for (let i = req.messages.length - 1; i >= 0; i--) {
    const msg = req.messages[i];
    if (msg && msg.role === 'user') return `Echo: ${contentText(msg.content)}`;
  }
  return 'Echo: ';
}

function promptTokens(req: ChatCompletionRequest): number {
  let chars = 0;
  for (const msg of req.messages) {
    chars += contentText(msg.content).length;
    if (msg.tool_calls !== undefined) chars += JSON.stringify(msg.tool_calls).length;
  }
  return Math.max(1, Math.ceil(chars / 4));
}

/** Splits text into word chunks that keep their trailing whitespace. */
function splitWords(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

function splitFixed(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function parseChatRequest(body: unknown): ChatCompletionRequest {
  if (!isRecord(body)) throw badRequest('Request body must be a JSON object.');
  const { messages, model, response_format: format, stream_options: streamOptions } = body;
  if (!Array.isArray(messages) || messages.length === 0) {
    throw badRequest("'messages' must be a non-empty array.", 'messages');
  }
  const parsed: ChatMessage[] = [];
  for (const msg of messages) {
    if (!isRecord(msg) || typeof msg.role !== 'string') {
      throw badRequest('Each message must have a string role.', 'messages');
    }
    parsed.push({ ...msg, role: msg.role });
  }
  if (model !== undefined && typeof model !== 'string') {
    throw badRequest("'model' must be a string.", 'model');
  }
  let responseFormat: ChatCompletionRequest['response_format'];
  if (format !== undefined && format !== null) {
    const allowed = ['text', 'json_object', 'json_schema'];
    if (!isRecord(format) || typeof format.type !== 'string' || !allowed.includes(format.type)) {
      const message = "'response_format.type' must be one of text, json_object, json_schema.";
      throw badRequest(message, 'response_format');
    }
    responseFormat = { ...format, type: format.type };
  }
  let options: ChatCompletionRequest['stream_options'];
  if (isRecord(streamOptions)) {
    options = { include_usage: streamOptions.include_usage === true };
  }
  return {
    ...body,
    model: typeof model === 'string' ? model : 'mock-gpt',
    messages: parsed,
    stream: body.stream === true,
    stream_options: options,
    response_format: responseFormat,
    tools: Array.isArray(body.tools) ? body.tools : undefined,
  };
}

/** The completion for `reply`, numbered `n` (ids of the completion and its tool calls). */
function buildCompletion(req: ChatCompletionRequest, reply: MockReply, n: number): Completion {
  const toolCalls = (reply.toolCalls ?? []).map((call, index) => ({
    index,
    id: `call_mock_${n}_${index}`,
    type: 'function' as const,
    function: { name: call.name, arguments: call.arguments },
  }));
  const content = reply.content ?? (toolCalls.length > 0 ? null : '');
  const completionText = (content ?? '') + toolCalls.map((c) => c.function.arguments).join('');
  const usage = {
    prompt_tokens: promptTokens(req),
    completion_tokens: approxTokens(completionText),
    total_tokens: 0,
  };
  usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
  return {
    id: `chatcmpl-mock-${n}`,
    created: Math.floor(Date.now() / 1000),
    model: req.model,
    content,
    toolCalls,
    finishReason: toolCalls.length > 0 ? 'tool_calls' : 'stop',
    usage,
  };
}

/** The non-streaming `chat.completion` body. */
function completionBody(c: Completion): unknown {
  const message: Record<string, unknown> = { role: 'assistant', content: c.content, refusal: null };
  if (c.toolCalls.length > 0) {
    message.tool_calls = c.toolCalls.map(({ index: _index, ...call }) => call);
  }
  return {
    id: c.id,
    object: 'chat.completion',
    created: c.created,
    model: c.model,
    system_fingerprint: 'fp_mock',
    choices: [{ index: 0, message, logprobs: null, finish_reason: c.finishReason }],
    usage: c.usage,
  };
}

/** The `chat.completion.chunk` events of a streamed completion, before `[DONE]`. */
function streamEvents(c: Completion, includeUsage: boolean): unknown[] {
  const chunk = (delta: Record<string, unknown>, finish: string | null): unknown => ({
    id: c.id,
    object: 'chat.completion.chunk',
    created: c.created,
    model: c.model,
    system_fingerprint: 'fp_mock',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(includeUsage ? { usage: null } : {}),
  });

  const events: unknown[] = [chunk({ role: 'assistant', content: '', refusal: null }, null)];
  for (const piece of splitWords(c.content ?? '')) events.push(chunk({ content: piece }, null));
  for (const call of c.toolCalls) {
    events.push(
      chunk(
        {
          tool_calls: [
            {
              index: call.index,
              id: call.id,
              type: 'function',
              function: { name: call.function.name, arguments: '' },
            },
          ],
        },
        null,
      ),
    );
    for (const piece of splitFixed(call.function.arguments, 16)) {
      const delta = { tool_calls: [{ index: call.index, function: { arguments: piece } }] };
      events.push(chunk(delta, null));
    }
  }
  events.push(chunk({}, c.finishReason));
  if (includeUsage) {
    events.push({
      id: c.id,
      object: 'chat.completion.chunk',
      created: c.created,
      model: c.model,
      system_fingerprint: 'fp_mock',
      choices: [],
      usage: c.usage,
    });
  }
  return events;
}

/** Answers POST /v1/chat/completions; throws `HttpError` for a malformed request. */
export async function handleChat(
  io: Responder,
  res: ServerResponse,
  body: unknown,
  nextReply: (req: ChatCompletionRequest) => MockReply,
  timing: () => ChatTiming,
): Promise<void> {
  const req = parseChatRequest(body);
  const reply = nextReply(req);
  if (reply.status !== undefined && reply.status >= 400) {
    io.replyError(res, reply);
    return;
  }
  const completion = buildCompletion(req, reply, io.nextId());
  const extraHeaders = reply.headers ?? {};

  await io.sleep(timing().firstTokenLatencyMs ?? 0);
  if (io.gone(res)) return;

  if (!req.stream) {
    io.json(res, reply.status ?? 200, completionBody(completion), extraHeaders);
    return;
  }

  res.writeHead(reply.status ?? 200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-request-id': `req_mock_${io.lastId()}`,
    ...extraHeaders,
  });
  res.socket?.setNoDelay(true);

  const events = streamEvents(completion, req.stream_options?.include_usage === true);
  for (const [i, event] of events.entries()) {
    if (i > 0) await io.sleep(timing().chunkLatencyMs ?? 0);
    if (io.gone(res)) return;
    res.write(`data: ${JSON.stringify(event)}\n\n`);
  }
  if (io.gone(res)) return;
  res.end('data: [DONE]\n\n');
}
