// One turn of a chat app through the published API, shared by POST /chat-messages (Dify) and
// POST /chat/completions (OpenAI): runs the app's latest published version with the question as
// `query` (and the conversation so far as `history` when the start node declares it), records the
// message, and stores the answer when the run ends. That last part is a watcher of its own, not
// tied to any response stream, so a client that disconnects mid-answer still finds the answer
// stored. Streams read the run's events and turn the model's deltas into answer chunks.
import { and, eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { messages, runs } from '@/db/schema';
import { DomainError } from '@/server/errors';
import {
  addMessage,
  type ConversationScope,
  conversationHistory,
  conversationNameFor,
  finishMessage,
  getConversation,
  type MessageStatus,
  type MessageUsage,
  startConversation,
} from '@/server/services/conversation-service';
import { startRun } from '@/server/services/run-service';
import type { WorkflowDefinition } from '@/workflows/dsl/definition';
import { referencesInString } from '@/workflows/dsl/references';
import type { RunEvent } from '@/workflows/engines/embedded/engine';
import type { RunEngine } from '@/workflows/engines/run-engine';
import type { StartConfig } from '@/workflows/nodes/start';
import type { ApiCaller } from './auth';
import { ApiError } from './errors';
import { latestPublishedVersion, type PublishedVersion } from './published-version';
import { noteRunForUsage } from './usage-recorder';
import { errorText } from './workflow-run-data';

export type HistoryTurn = { role: 'user' | 'assistant'; content: string };

export interface TurnOutcome {
  status: Exclude<MessageStatus, 'running'>;
  answer: string;
  usage: MessageUsage;
  error: string | null;
}

export interface ChatTurn {
  runId: string;
  messageId: string;
  conversationId: string;
  createdAt: Date;
  version: PublishedVersion;
  /** Node ids whose streamed model output (llm_delta) is the answer. */
  answerSources: Set<string>;
  /** Settles when the run has ended and the message is stored; never rejects. */
  outcome: Promise<TurnOutcome>;
  /** Re-reads the run at once (a stream saw run_finished) instead of at the next poll. */
  recheck(): void;
}

const FINISHED = new Set(['succeeded', 'partially_succeeded', 'failed', 'cancelled']);
const POLL_MS = 2_000;
const PAUSED_POLL_MS = 30_000;

export function requireChatApp(caller: ApiCaller) {
  if (caller.app.kind !== 'chat')
    throw new ApiError(
      400,
      'app_unavailable',
      'This is a workflow app: call POST /workflows/run instead of the chat endpoints',
    );
}

export const scopeOf = (caller: ApiCaller, endUser: string): ConversationScope => ({
  workspaceId: caller.workspaceId,
  appId: caller.app.id,
  endUser,
});

function startInputs(definition: WorkflowDefinition): Set<string> {
  const start = definition.nodes.find((n) => n.type === 'start' && !n.parentId);
  const inputs = (start?.config as Partial<StartConfig> | undefined)?.inputs ?? [];
  return new Set(inputs.map((i) => i.name));
}

/** The nodes an answer node quotes whole as `{{node.text}}`: their deltas are the answer. */
export function answerSourcesOf(definition: WorkflowDefinition): Set<string> {
  const ids = new Set(definition.nodes.map((n) => n.id));
  const sources = new Set<string>();
  for (const node of definition.nodes) {
    if (node.type !== 'answer') continue;
    const text = (node.config as { text?: unknown }).text;
    if (typeof text !== 'string') continue;
    for (const ref of referencesInString(text))
      if (ids.has(ref.root) && ref.path.length === 1 && ref.path[0] === 'text') sources.add(ref.root);
  }
  return sources;
}

const usageOf = (value: unknown): MessageUsage => {
  const u = (value ?? {}) as Partial<Record<keyof MessageUsage, unknown>>;
  return {
    promptTokens: Number(u.promptTokens ?? 0) || 0,
    completionTokens: Number(u.completionTokens ?? 0) || 0,
    cost: Number(u.cost ?? 0) || 0,
  };
};

/** The answer in a run's outputs: the answer node's `answer`. */
export function answerOf(outputs: unknown): string {
  if (!outputs || typeof outputs !== 'object') return '';
  const answer = (outputs as Record<string, unknown>).answer;
  if (answer === undefined || answer === null) return '';
  return typeof answer === 'string' ? answer : JSON.stringify(answer);
}

const messageStatus = (runStatus: string): TurnOutcome['status'] =>
  runStatus === 'cancelled' ? 'stopped' : runStatus === 'failed' ? 'failed' : 'succeeded';

type RunRow = { status: string; outputs: unknown; error: unknown; usage: unknown };

async function readRun(db: Db, workspaceId: string, runId: string): Promise<RunRow | null> {
  const [run] = await db
    .select({ status: runs.status, outputs: runs.outputs, error: runs.error, usage: runs.usage })
    .from(runs)
    .where(and(eq(runs.id, runId), eq(runs.workspaceId, workspaceId)));
  return run ?? null;
}

/** Stores a finished run's answer on its message (a no-op when it is stored already). */
async function storeOutcome(db: Db, workspaceId: string, messageId: string, run: RunRow) {
  const outcome: TurnOutcome = {
    status: messageStatus(run.status),
    answer: answerOf(run.outputs),
    usage: usageOf(run.usage),
    error: errorText(run.error),
  };
  await finishMessage(
    db,
    { workspaceId, messageId },
    {
      answer: outcome.answer,
      status: outcome.status,
      usage: outcome.usage,
      error: run.error ?? null,
    },
  );
  return outcome;
}

/**
 * Waits for the run to end (the engine's notice, or a periodic re-read since a notice from another
 * process can be lost), then stores the answer. Runs on its own: nothing aborts it.
 */
function watchRun(db: Db, engine: RunEngine, workspaceId: string, runId: string, messageId: string) {
  let wake: () => void = () => {};
  let woken = false;
  /** The finished run, when this process finished it (no need to read it). */
  let finished: RunRow | undefined;
  const recheck = () => {
    woken = true;
    wake();
  };
  const off = engine.bus.onRunFinished(runId, (_status, run) => {
    finished ??= run;
    recheck();
  });
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const outcome = (async (): Promise<TurnOutcome> => {
    let failures = 0;
    try {
      // A run this process has not heard finish is still going (it has only just started): its
      // notice, or the first poll, comes before the first read.
      if (engine.bus.finishedStatus(runId) === undefined) await pause(POLL_MS);
      for (;;) {
        let status = 'running';
        try {
          woken = false;
          const run = finished ?? (await readRun(db, workspaceId, runId));
          if (!run) throw new Error(`run ${runId} is gone`);
          status = run.status;
          if (FINISHED.has(run.status)) return await storeOutcome(db, workspaceId, messageId, run);
          failures = 0;
        } catch (error) {
          failures += 1;
          console.error(`chat message ${messageId}: watching run ${runId} failed:`, error);
          if (failures >= 5) {
            const message = 'The answer could not be stored';
            await finishMessage(
              db,
              { workspaceId, messageId },
              { answer: '', status: 'failed', error: { message } },
            ).catch(() => {});
            return { status: 'failed', answer: '', usage: usageOf(null), error: message };
          }
        }
        if (woken) continue;
        await pause(status === 'paused' ? PAUSED_POLL_MS : POLL_MS);
      }
    } finally {
      off();
    }
  })();
  return { outcome, recheck };
}

/** Starts the published version; problems with the definition become a 400 `app_unavailable`. */
async function startPublished(
  db: Db,
  engine: RunEngine,
  caller: ApiCaller,
  version: PublishedVersion,
  inputs: Record<string, unknown>,
) {
  try {
    // No Weft user starts an API run: runs.created_by stays null.
    return await startRun(db, engine, null, caller.workspaceId, {
      appId: caller.app.id,
      source: { kind: 'version', versionId: version.id },
      inputs,
    });
  } catch (error) {
    if (error instanceof DomainError && error.code === 'BAD_REQUEST' && error.field === 'definition')
      throw new ApiError(400, 'app_unavailable', `The published app cannot run: ${error.message}`);
    throw error;
  }
}

/**
 * Starts one turn: checks the conversation (another app's or user's is a 404), starts the run,
 * then records the conversation (when new) and the message, and watches the run to its end.
 * `history` replaces the stored conversation's turns (the OpenAI endpoint sends its own).
 */
export async function startChatTurn(
  db: Db,
  engine: RunEngine,
  caller: ApiCaller,
  input: {
    endUser: string;
    query: string;
    inputs: Record<string, unknown>;
    conversationId?: string | null;
    history?: HistoryTurn[];
  },
): Promise<ChatTurn> {
  requireChatApp(caller);
  const scope = scopeOf(caller, input.endUser);
  const existing = input.conversationId ? await getConversation(db, scope, input.conversationId) : null;
  const version = await latestPublishedVersion(db, caller.app);
  const declared = startInputs(version.definition);
  for (const reserved of ['query', 'history'])
    if (Object.hasOwn(input.inputs, reserved))
      throw new ApiError(
        400,
        'invalid_param',
        `inputs.${reserved}: is set by the API (send the message as query), not in inputs`,
      );
  const runInputs: Record<string, unknown> = { ...input.inputs };
  if (declared.has('query')) runInputs.query = input.query;
  if (declared.has('history'))
    runInputs.history = input.history ?? (existing ? await conversationHistory(db, scope, existing.id) : []);
  const { runId } = await startPublished(db, engine, caller, version, runInputs);
  noteRunForUsage(caller, runId);
  // A new conversation and its first message in one statement; else the message on its own.
  const { conversation, message } = existing
    ? {
        conversation: existing,
        message: await addMessage(
          db,
          scope,
          { conversationId: existing.id, query: input.query, inputs: input.inputs, runId },
          'checked',
        ),
      }
    : await startConversation(db, scope, {
        name: conversationNameFor(input.query),
        query: input.query,
        inputs: input.inputs,
        runId,
      });
  const watch = watchRun(db, engine, caller.workspaceId, runId, message.id);
  return {
    runId,
    messageId: message.id,
    conversationId: conversation.id,
    createdAt: message.createdAt,
    version,
    answerSources: answerSourcesOf(version.definition),
    outcome: watch.outcome,
    recheck: watch.recheck,
  };
}

export type TurnStreamItem =
  | { kind: 'event'; event: RunEvent }
  | { kind: 'delta'; text: string }
  /** The streamed text was not the start of the stored answer: this is the whole answer. */
  | { kind: 'replace'; answer: string }
  | { kind: 'end'; outcome: TurnOutcome };

/**
 * The turn as it happens: the run's events, the answer's chunks as the model writes them (or the
 * whole answer at the end when nothing streamed), then the stored outcome. Aborting `signal`
 * stops only this reader; the run and the watcher carry on.
 */
export async function* followTurn(
  engine: RunEngine,
  turn: ChatTurn,
  signal: AbortSignal,
): AsyncGenerator<TurnStreamItem> {
  let streamed = '';
  /** The attempt (step key) of each source node whose deltas are being forwarded. */
  const attempts = new Map<string, string>();
  let diverged = false;
  for await (const event of engine.events(turn.runId, 0, signal)) {
    if (event.type === 'run_finished') {
      turn.recheck();
      break;
    }
    yield { kind: 'event', event };
    if (event.type !== 'llm_delta' || !event.nodeId || !turn.answerSources.has(event.nodeId)) continue;
    const data = (event.data ?? {}) as { delta?: unknown; stepKey?: unknown };
    if (typeof data.delta !== 'string' || data.delta === '') continue;
    const stepKey = String(data.stepKey ?? '');
    const seen = attempts.get(event.nodeId);
    // A retried model call streams again from the start: what was sent no longer matches.
    if (seen !== undefined && seen !== stepKey) diverged = true;
    attempts.set(event.nodeId, stepKey);
    streamed += data.delta;
    yield { kind: 'delta', text: data.delta };
  }
  if (signal.aborted) return;
  const outcome = await turn.outcome;
  if (!diverged && outcome.answer.startsWith(streamed)) {
    const rest = outcome.answer.slice(streamed.length);
    if (rest) yield { kind: 'delta', text: rest };
  } else {
    yield { kind: 'replace', answer: outcome.answer };
  }
  yield { kind: 'end', outcome };
}

/**
 * Messages still marked running whose run has ended (the server stopped before the watcher could
 * store the answer): stores their answers now. Called before messages are listed.
 */
export async function settleRunningMessages(db: Db, scope: ConversationScope, conversationId: string) {
  const running = await db
    .select({ id: messages.id, runId: messages.runId })
    .from(messages)
    .where(
      and(
        eq(messages.conversationId, conversationId),
        eq(messages.workspaceId, scope.workspaceId),
        eq(messages.appId, scope.appId),
        eq(messages.endUser, scope.endUser),
        eq(messages.status, 'running'),
      ),
    );
  for (const message of running) {
    if (!message.runId) continue;
    const run = await readRun(db, scope.workspaceId, message.runId);
    if (run && FINISHED.has(run.status)) await storeOutcome(db, scope.workspaceId, message.id, run);
  }
}
