// Folds a run's event stream into what the studio shows while it runs: each node's status, last
// output or error, attempts, timing and tokens, the answer streamed so far, and the run's own
// status. Pure, so the same reducer serves the live test run and a finished run's replay.
import type { NodeRunStatus } from '@/workflows/dsl/inspection-types';

export interface RunEventMessage {
  seq: number;
  type: string;
  nodeId: string | null;
  data: Record<string, unknown>;
  at?: string;
}

export interface NodeRunView {
  status: NodeRunStatus;
  attempts: number;
  output?: unknown;
  error?: { message: string; code?: string } | null;
  elapsedMs?: number;
  tokens?: { prompt: number; completion: number; cost: number };
  logs: string[];
}

export interface RunViewState {
  runId: string | null;
  status:
    | 'idle'
    | 'queued'
    | 'running'
    | 'paused'
    | 'succeeded'
    | 'partially_succeeded'
    | 'failed'
    | 'cancelled';
  nodes: Record<string, NodeRunView>;
  /** Streamed model output per node, in order (chat preview). */
  streamed: Record<string, string>;
  outputs?: Record<string, unknown>;
  error?: { message: string; code?: string; nodeId?: string } | null;
  waitingFor: string[];
  lastSeq: number;
  events: RunEventMessage[];
}

export const idleRun: RunViewState = {
  runId: null,
  status: 'idle',
  nodes: {},
  streamed: {},
  waitingFor: [],
  lastSeq: 0,
  events: [],
};

export function startedRun(runId: string): RunViewState {
  return { ...idleRun, runId, status: 'queued' };
}

const FINISHED = new Set(['succeeded', 'partially_succeeded', 'failed', 'cancelled']);

export function isFinished(state: RunViewState): boolean {
  return FINISHED.has(state.status);
}

function usageTotals(usage: unknown): NodeRunView['tokens'] | undefined {
  if (!Array.isArray(usage) || usage.length === 0) return undefined;
  return usage.reduce<{ prompt: number; completion: number; cost: number }>(
    (sum, u) => ({
      prompt: sum.prompt + Number((u as { promptTokens?: number }).promptTokens ?? 0),
      completion: sum.completion + Number((u as { completionTokens?: number }).completionTokens ?? 0),
      cost: sum.cost + Number((u as { cost?: number }).cost ?? 0),
    }),
    { prompt: 0, completion: 0, cost: 0 },
  );
}

function withNode(
  state: RunViewState,
  nodeId: string,
  change: (node: NodeRunView) => NodeRunView,
): RunViewState {
  const current = state.nodes[nodeId] ?? { status: 'running', attempts: 0, logs: [] };
  return { ...state, nodes: { ...state.nodes, [nodeId]: change(current) } };
}

/** Applies one event; events at or before `lastSeq` (a reconnect replaying them) are ignored. */
export function applyRunEvent(state: RunViewState, event: RunEventMessage): RunViewState {
  if (event.seq <= state.lastSeq) return state;
  let next: RunViewState = { ...state, lastSeq: event.seq, events: [...state.events, event] };
  const data = event.data ?? {};
  const nodeId = event.nodeId ?? (typeof data.nodeId === 'string' ? data.nodeId : null);
  switch (event.type) {
    case 'run_started':
    case 'run_resumed':
      next.status = 'running';
      next.waitingFor = [];
      break;
    case 'paused':
      next.status = 'paused';
      next.waitingFor = Array.isArray(data.waitingFor) ? data.waitingFor.map(String) : [];
      break;
    case 'node_started':
    case 'node_retry':
      if (nodeId)
        next = withNode(next, nodeId, (n) => ({
          ...n,
          status: 'running',
          attempts: Math.max(n.attempts, Number(data.attempt ?? 1)),
        }));
      break;
    case 'review_requested':
      if (nodeId) next = withNode(next, nodeId, (n) => ({ ...n, status: 'paused' }));
      break;
    case 'node_finished':
      if (nodeId)
        next = withNode(next, nodeId, (n) => ({
          ...n,
          status: data.status === 'failed' ? 'failed' : 'succeeded',
          attempts: Math.max(n.attempts, Number(data.attempt ?? 1)),
          output: data.output,
          error: (data.error as NodeRunView['error']) ?? null,
          elapsedMs: typeof data.elapsedMs === 'number' ? data.elapsedMs : n.elapsedMs,
          tokens: usageTotals(data.usage) ?? n.tokens,
        }));
      break;
    case 'node_skipped':
      if (nodeId) next = withNode(next, nodeId, (n) => ({ ...n, status: 'skipped' }));
      break;
    case 'llm_delta':
      if (nodeId && typeof data.delta === 'string')
        next = {
          ...next,
          streamed: { ...next.streamed, [nodeId]: (next.streamed[nodeId] ?? '') + data.delta },
        };
      break;
    case 'run_finished':
      next.status = (FINISHED.has(String(data.status)) ? data.status : 'failed') as RunViewState['status'];
      next.outputs = (data.outputs as Record<string, unknown>) ?? {};
      next.error = (data.error as RunViewState['error']) ?? null;
      next.waitingFor = [];
      break;
  }
  return next;
}

/** Node statuses for the canvas. */
export function nodeStatuses(state: RunViewState): Record<string, NodeRunStatus> {
  return Object.fromEntries(Object.entries(state.nodes).map(([id, n]) => [id, n.status]));
}
