// The chat endpoints of /api/v1 in Dify's shapes: send a message (blocking, or streaming Dify's
// chatflow events: message chunks, the workflow's node events, message_end with usage), stop it,
// and the end user's conversations and messages (list, rename, delete, feedback). Everything is
// scoped to the key's app and the request's `user`: another app's or user's ids are 404s.
import { z } from 'zod';
import type { Db } from '@/db/client';
import { DomainError } from '@/server/errors';
import {
  type ConversationRow,
  conversationNameFor,
  deleteConversation,
  getMessageByRun,
  listConversations,
  listMessages,
  type MessageRow,
  type MessageUsage,
  renameConversation,
  setMessageFeedback,
} from '@/server/services/conversation-service';
import { cancelRun } from '@/server/services/run-service';
import type { FinishedRun } from '@/workflows/engines/embedded/event-bus';
import type { RunEngine } from '@/workflows/engines/run-engine';
import { difyMode } from './app-info';
import type { ApiCaller } from './auth';
import { parseWith } from './body';
import {
  type ChatTurn,
  followTurn,
  requireChatApp,
  scopeOf,
  settleRunningMessages,
  startChatTurn,
} from './chat-turn';
import { DifyEventTranslator } from './dify-events';
import { ApiError, toApiError } from './errors';
import { sseResponse } from './sse';
import { finishedRunData, loadWorkflowRun, runSequenceNumber, unixSeconds } from './workflow-run-data';

const required = (what: string) => (issue: { input: unknown }) =>
  issue.input === undefined || issue.input === null ? 'is required' : `must be ${what}`;

const userField = z
  .string({ error: required('a string') })
  .trim()
  .min(1, 'is required')
  .max(255, 'must be at most 255 characters');

const idField = z
  .string({ error: required('a string') })
  .trim()
  .min(1, 'is required');

export const chatMessageBody = z.object({
  inputs: z
    .record(z.string(), z.unknown(), { error: 'must be an object' })
    .nullish()
    .transform((v) => v ?? {}),
  query: z
    .string({ error: required('a string') })
    .min(1, 'is required')
    .max(100_000, 'must be at most 100000 characters')
    .refine((q) => q.trim() !== '', 'is required'),
  user: userField,
  conversation_id: z
    .string({ error: 'must be a string' })
    .nullish()
    .transform((v) => (v?.trim() ? v.trim() : null)),
  response_mode: z
    .enum(['blocking', 'streaming'], { error: 'must be blocking or streaming' })
    .default('blocking'),
  files: z
    .array(z.unknown(), { error: 'must be a list' })
    .max(0, 'file inputs are not supported yet')
    .nullish(),
  auto_generate_name: z.boolean({ error: 'must be a boolean' }).optional(),
});

export const userBody = z.object({ user: userField });

export const renameBody = z.object({
  user: userField,
  name: z.string({ error: 'must be a string' }).nullish(),
  auto_generate: z.boolean({ error: 'must be a boolean' }).nullish(),
});

export const feedbackBody = z.object({
  rating: z.enum(['like', 'dislike'], { error: 'must be like, dislike or null' }).nullable(),
  user: userField,
  content: z.string({ error: 'must be a string' }).nullish(),
});

const limitField = z.coerce
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(100, 'must be at most 100')
  .default(20);

export const conversationsQuery = z.object({
  user: userField,
  last_id: z.string().trim().optional(),
  limit: limitField,
});

export const messagesQuery = z.object({
  user: userField,
  conversation_id: idField,
  first_id: z.string().trim().optional(),
  limit: limitField,
});

/** A GET request's query string as an object (empty values count as absent). */
export function queryOf(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of new URL(req.url).searchParams) if (value !== '') out[name] = value;
  return out;
}

/** Dify's usage block: tokens, price and latency. */
export function difyUsage(usage: MessageUsage, startedAt: Date) {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    total_price: usage.cost,
    currency: 'USD',
    latency: Math.max(0, (Date.now() - startedAt.getTime()) / 1000),
  };
}

function streamChat(req: Request, db: Db, engine: RunEngine, caller: ApiCaller, turn: ChatTurn): Response {
  const ids = { task_id: turn.runId, message_id: turn.messageId, conversation_id: turn.conversationId };
  const createdAt = unixSeconds(turn.createdAt);
  const scope = { workspaceId: caller.workspaceId, appId: caller.app.id };
  return sseResponse(
    req,
    async (send, signal) => {
      // When this process finishes the run, its notice carries the run as stored: no read at the end.
      let finished: FinishedRun | undefined;
      const off = engine.bus.onRunFinished(turn.runId, (_status, run) => {
        finished ??= run;
      });
      try {
        const translator = new DifyEventTranslator({
          runId: turn.runId,
          workflowId: turn.version.id,
          sequenceNumber: await runSequenceNumber(db, caller.app.id, turn.runId),
          definition: turn.version.definition,
        });
        const sendWorkflow = (events: ReturnType<DifyEventTranslator['translate']>) => {
          // The answer goes out as `message` events; text_chunk is the workflow API's.
          for (const out of events) if (out.event !== 'text_chunk') send({ ...out, ...ids });
        };
        for await (const item of followTurn(engine, turn, signal)) {
          switch (item.kind) {
            case 'event':
              // Model output becomes workflow text_chunk events, which a chat stream leaves out (its
              // answer goes out as `message`): not translated at all. run_queued, always first, has
              // sent workflow_started by then.
              if (item.event.type !== 'llm_delta') sendWorkflow(translator.translate(item.event));
              break;
            case 'delta':
              send({
                event: 'message',
                ...ids,
                id: turn.messageId,
                answer: item.text,
                created_at: createdAt,
              });
              break;
            case 'replace':
              send({ event: 'message_replace', ...ids, answer: item.answer, created_at: createdAt });
              break;
            case 'end': {
              const data =
                finishedRunData(scope, turn.runId, finished) ??
                (await loadWorkflowRun(db, scope, turn.runId));
              sendWorkflow(translator.finished(data));
              const { outcome } = item;
              if (outcome.status === 'failed') {
                send({
                  event: 'error',
                  ...ids,
                  status: 500,
                  code: 'run_failed',
                  message: outcome.error ?? 'The app failed to answer',
                });
              } else {
                send({
                  event: 'message_end',
                  ...ids,
                  id: turn.messageId,
                  metadata: { usage: difyUsage(outcome.usage, turn.createdAt) },
                });
              }
              break;
            }
          }
        }
      } finally {
        off();
      }
    },
    (error) => {
      const apiError = toApiError(error);
      if (apiError.status >= 500) console.error(`chat message ${turn.messageId} stream failed:`, error);
      return {
        event: 'error',
        ...ids,
        status: apiError.status,
        code: apiError.code,
        message: apiError.message,
      };
    },
  );
}

/** POST /chat-messages: one question; the answer in full (blocking) or as it is written (streaming). */
export async function sendChatMessage(
  req: Request,
  db: Db,
  engine: RunEngine,
  caller: ApiCaller,
  body: z.output<typeof chatMessageBody>,
): Promise<Response | object> {
  const turn = await startChatTurn(db, engine, caller, {
    endUser: body.user,
    query: body.query,
    inputs: body.inputs,
    conversationId: body.conversation_id,
  });
  if (body.response_mode === 'streaming') return streamChat(req, db, engine, caller, turn);
  const outcome = await turn.outcome;
  if (outcome.status === 'failed')
    throw new ApiError(
      500,
      'internal_server_error',
      `The app failed to answer: ${outcome.error ?? 'unknown error'}`,
    );
  return {
    event: 'message',
    task_id: turn.runId,
    id: turn.messageId,
    message_id: turn.messageId,
    conversation_id: turn.conversationId,
    mode: difyMode(caller.app),
    answer: outcome.answer,
    metadata: { usage: difyUsage(outcome.usage, turn.createdAt) },
    created_at: unixSeconds(turn.createdAt),
  };
}

/** POST /chat-messages/{task_id}/stop: stops the user's running message (its run). */
export async function stopChatMessage(
  db: Db,
  engine: RunEngine,
  caller: ApiCaller,
  taskId: string,
  user: string,
) {
  requireChatApp(caller);
  const message = await getMessageByRun(db, scopeOf(caller, user), taskId);
  if (!message) throw new ApiError(404, 'not_found', 'Task not found');
  if (message.status !== 'running') return { result: 'success' };
  try {
    await cancelRun(engine, caller.workspaceId, taskId);
  } catch (error) {
    // It finished between the read and the cancel.
    if (!(error instanceof DomainError && error.code === 'CONFLICT')) throw error;
  }
  return { result: 'success' };
}

const conversationJson = (c: ConversationRow) => ({
  id: c.id,
  name: c.name,
  inputs: c.inputs,
  status: 'normal',
  introduction: '',
  created_at: unixSeconds(c.createdAt),
  updated_at: unixSeconds(c.updatedAt),
});

const messageJson = (m: MessageRow) => ({
  id: m.id,
  conversation_id: m.conversationId,
  parent_message_id: null,
  inputs: m.inputs,
  query: m.query,
  answer: m.answer,
  status: m.status === 'failed' ? 'error' : 'normal',
  error: m.status === 'failed' ? (errorMessage(m.error) ?? 'The app failed to answer') : null,
  message_files: [] as unknown[],
  feedback: m.feedback ? { rating: m.feedback } : null,
  retriever_resources: [] as unknown[],
  agent_thoughts: [] as unknown[],
  created_at: unixSeconds(m.createdAt),
});

function errorMessage(error: unknown): string | null {
  if (!error) return null;
  if (typeof error === 'string') return error;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' ? message : JSON.stringify(error);
}

/** GET /conversations: the user's conversations, most recently updated first. */
export async function getConversations(
  db: Db,
  caller: ApiCaller,
  query: z.output<typeof conversationsQuery>,
) {
  requireChatApp(caller);
  const page = await listConversations(db, scopeOf(caller, query.user), {
    lastId: query.last_id ?? null,
    limit: query.limit,
  });
  return { limit: query.limit, has_more: page.hasMore, data: page.data.map(conversationJson) };
}

/** DELETE /conversations/{id}. */
export async function removeConversation(db: Db, caller: ApiCaller, id: string, user: string) {
  requireChatApp(caller);
  await deleteConversation(db, scopeOf(caller, user), id);
  return { result: 'success' };
}

/** POST /conversations/{id}/name: renames it (`auto_generate` names it after its first question). */
export async function nameConversation(
  db: Db,
  caller: ApiCaller,
  id: string,
  body: z.output<typeof renameBody>,
) {
  requireChatApp(caller);
  const scope = scopeOf(caller, body.user);
  let name = body.name?.trim() ?? '';
  if (!name && body.auto_generate) {
    const first = await listMessages(db, scope, { conversationId: id, limit: 1 });
    name = conversationNameFor(first.data[0]?.query ?? '');
  }
  if (!name) throw new ApiError(400, 'invalid_param', 'name: is required');
  return conversationJson(await renameConversation(db, scope, id, name));
}

/** GET /messages: a page of a conversation's messages, oldest to newest. */
export async function getMessages(db: Db, caller: ApiCaller, query: z.output<typeof messagesQuery>) {
  requireChatApp(caller);
  const scope = scopeOf(caller, query.user);
  const list = () =>
    listMessages(db, scope, {
      conversationId: query.conversation_id,
      firstId: query.first_id ?? null,
      limit: query.limit,
    });
  let page = await list();
  // A message whose watcher never stored its answer (the server restarted): settle it now.
  if (page.data.some((m) => m.status === 'running')) {
    await settleRunningMessages(db, scope, query.conversation_id);
    page = await list();
  }
  return { limit: query.limit, has_more: page.hasMore, data: page.data.map(messageJson) };
}

/** POST /messages/{id}/feedbacks: like, dislike or clear (null). */
export async function rateMessage(
  db: Db,
  caller: ApiCaller,
  id: string,
  body: z.output<typeof feedbackBody>,
) {
  requireChatApp(caller);
  await setMessageFeedback(db, scopeOf(caller, body.user), id, body.rating);
  return { result: 'success' };
}

/** The user for a DELETE: from the JSON body (Dify's clients) or the query string. */
export async function userOfDelete(req: Request, readJson: () => Promise<unknown>): Promise<string> {
  const fromQuery = new URL(req.url).searchParams.get('user');
  const body = await readJson();
  const fromBody =
    body && typeof body === 'object' && !Array.isArray(body) ? (body as { user?: unknown }).user : undefined;
  return parseWith(userBody, { user: fromBody ?? fromQuery ?? undefined }).user;
}
