// Translates a Weft run's event stream into Dify's workflow streaming events: workflow_started,
// node_started, node_finished (node_retry for an attempt that will be retried), text_chunk for
// streamed model output, human_input_required when a review pauses the run, and workflow_finished.
// Stateful per stream (node indexes, which nodes were announced) but pure: no I/O, so
// workflow_finished's totals are passed in by the caller.
import type { WorkflowDefinition, WorkflowNode } from '@/workflows/dsl/definition';
import type { RunEvent } from '@/workflows/engines/embedded/engine';
import { nodeCatalog } from '@/workflows/nodes';
import { humanInputRequiredData, reviewRequestOf } from './human-input-form';
import {
  type DifyWorkflowRunData,
  errorText,
  outputsObject,
  totalTokens,
  unixSeconds,
} from './workflow-run-data';

export interface DifyStreamEvent {
  event: string;
  task_id: string;
  workflow_run_id: string;
  data: Record<string, unknown>;
}

export interface RunStreamContext {
  runId: string;
  /** The published version the run executes. */
  workflowId: string;
  sequenceNumber: number;
  definition: WorkflowDefinition;
}

type EventData = Record<string, unknown>;

function usageOf(data: EventData): { tokens: number; cost: number } {
  const calls = Array.isArray(data.usage) ? (data.usage as Record<string, unknown>[]) : [];
  return calls.reduce<{ tokens: number; cost: number }>(
    (sum, u) => ({ tokens: sum.tokens + totalTokens(u), cost: sum.cost + Number(u.cost ?? 0) }),
    { tokens: 0, cost: 0 },
  );
}

/** Whether a failed attempt of `node` will be tried again (the interpreter's retry rule). */
function willRetry(node: WorkflowNode | undefined, data: EventData): boolean {
  if (!node || data.status !== 'failed') return false;
  const policy = node.error?.retry ?? nodeCatalog[node.type]?.defaultRetry;
  const error = data.error as { code?: string; retryable?: boolean; message?: string } | null;
  if (!policy || !error) return false;
  const attempt = Number(data.attempt ?? 1);
  // As isRetryable in workflows/interpreter/retry.ts: timeouts are always transient.
  return attempt < policy.maxAttempts && (error.retryable === true || error.code === 'timeout');
}

export class DifyEventTranslator {
  private readonly nodes: Map<string, WorkflowNode>;
  private started = false;
  private index = 0;
  /** Per node id: the index and start time of the execution announced with node_started. */
  private readonly running = new Map<string, { index: number; execId: string; startedAt: Date }>();

  constructor(private readonly run: RunStreamContext) {
    this.nodes = new Map(run.definition.nodes.map((n) => [n.id, n]));
  }

  private envelope(event: string, data: EventData): DifyStreamEvent {
    return { event, task_id: this.run.runId, workflow_run_id: this.run.runId, data };
  }

  /**
   * workflow_started; sent once, before anything else. Its inputs and time are the run's, as its
   * first event (run_queued, stored with the run in one statement) carries them.
   */
  private workflowStarted(first: RunEvent): DifyStreamEvent[] {
    if (this.started) return [];
    this.started = true;
    const data = (first.data ?? {}) as EventData;
    const inputs =
      first.type === 'run_queued' && data.inputs && typeof data.inputs === 'object' ? data.inputs : {};
    return [
      this.envelope('workflow_started', {
        id: this.run.runId,
        workflow_id: this.run.workflowId,
        sequence_number: this.run.sequenceNumber,
        inputs,
        created_at: unixSeconds(first.createdAt),
      }),
    ];
  }

  private nodeFields(nodeId: string, data: EventData) {
    const node = this.nodes.get(nodeId);
    return {
      node_id: nodeId,
      node_type: String(data.nodeType ?? node?.type ?? ''),
      title: node?.title ?? nodeId,
      predecessor_node_id: null,
    };
  }

  private nodeStarted(nodeId: string, data: EventData, at: Date): DifyStreamEvent {
    this.index += 1;
    const execId = `${this.run.runId}:${String(data.stepKey ?? nodeId)}`;
    this.running.set(nodeId, { index: this.index, execId, startedAt: at });
    return this.envelope('node_started', {
      id: execId,
      ...this.nodeFields(nodeId, data),
      index: this.index,
      inputs: null,
      created_at: unixSeconds(at),
    });
  }

  /** The Dify events for one Weft event (run_finished is left to `finished`). */
  translate(event: RunEvent): DifyStreamEvent[] {
    const out = this.workflowStarted(event);
    const data = (event.data ?? {}) as EventData;
    const nodeId = event.nodeId ?? (typeof data.nodeId === 'string' ? data.nodeId : null);
    switch (event.type) {
      case 'node_started':
        if (nodeId) out.push(this.nodeStarted(nodeId, data, event.createdAt));
        break;
      case 'node_retry':
        // Announced already: its failed attempt went out as node_retry.
        if (nodeId && !this.running.has(nodeId)) out.push(this.nodeStarted(nodeId, data, event.createdAt));
        break;
      case 'node_finished': {
        if (!nodeId) break;
        // A node the interpreter resolved itself (no activity) has no node_started of its own.
        if (!this.running.has(nodeId)) out.push(this.nodeStarted(nodeId, data, event.createdAt));
        const exec = this.running.get(nodeId);
        const retrying = willRetry(this.nodes.get(nodeId), data);
        if (!retrying) this.running.delete(nodeId);
        const usage = usageOf(data);
        const elapsedMs =
          typeof data.elapsedMs === 'number'
            ? data.elapsedMs
            : event.createdAt.getTime() - (exec?.startedAt ?? event.createdAt).getTime();
        out.push(
          this.envelope(retrying ? 'node_retry' : 'node_finished', {
            id: exec?.execId ?? `${this.run.runId}:${nodeId}`,
            ...this.nodeFields(nodeId, data),
            index: exec?.index ?? this.index,
            inputs: null,
            process_data: null,
            outputs: outputsObject(data.output),
            status: retrying ? 'retry' : data.status === 'failed' ? 'failed' : 'succeeded',
            error: errorText(data.error),
            elapsed_time: Math.max(0, elapsedMs) / 1000,
            execution_metadata: { total_tokens: usage.tokens, total_price: usage.cost, currency: 'USD' },
            created_at: unixSeconds(exec?.startedAt ?? event.createdAt),
            finished_at: unixSeconds(event.createdAt),
          }),
        );
        break;
      }
      case 'review_requested': {
        // A review paused the run: the client gets the form to decide it with (see human-input-form.ts).
        const review = reviewRequestOf(event);
        if (review)
          out.push(
            this.envelope(
              'human_input_required',
              humanInputRequiredData(
                this.run.runId,
                review,
                this.nodes.get(review.nodeId)?.title ?? review.nodeId,
              ),
            ),
          );
        break;
      }
      case 'llm_delta':
        if (nodeId && typeof data.delta === 'string')
          out.push(
            this.envelope('text_chunk', { text: data.delta, from_variable_selector: [nodeId, 'text'] }),
          );
        break;
    }
    return out;
  }

  /** workflow_finished from the stored run (totals, finish time). */
  finished(run: DifyWorkflowRunData): DifyStreamEvent[] {
    return [
      // Only when no event came before (there is always run_queued): from the run as stored.
      ...this.workflowStarted({
        seq: 1,
        type: 'run_queued',
        nodeId: null,
        data: { inputs: run.inputs } as RunEvent['data'],
        createdAt: new Date(run.created_at * 1000),
      }),
      this.envelope('workflow_finished', {
        id: run.id,
        workflow_id: run.workflow_id,
        sequence_number: this.run.sequenceNumber,
        status: run.status,
        outputs: run.outputs,
        error: run.error,
        elapsed_time: run.elapsed_time,
        total_tokens: run.total_tokens,
        total_steps: run.total_steps,
        created_at: run.created_at,
        finished_at: run.finished_at,
      }),
    ];
  }
}
