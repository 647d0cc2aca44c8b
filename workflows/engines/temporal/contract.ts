// What the Temporal workflow, its activities and the client that starts it agree on: the workflow's
// input (including what it carries across continue-as-new), the activities' shapes, and the
// signals and query. Imported by the workflow bundle, so it holds types and definitions only.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { WorkflowDefinition } from '@/workflows/dsl/definition';
import type { NodeCatalog } from '@/workflows/interpreter/context';
import type {
  ActivityRequest,
  Json,
  RunOutcome,
  StepErrorData,
  StepRecord,
} from '@/workflows/interpreter/types';

export const WORKFLOW_TYPE = 'weftRun';

/** A node type as the workflow sees it: the interpreter's entry plus where its activity runs. */
export type TemporalCatalog = Record<string, NodeCatalog[string] & { pure?: boolean }>;

/** An activity step's result as journaled in the workflow: failures are values, not exceptions. */
export type NodeActivityResult = { ok: true; output: Json } | { ok: false; error: StepErrorData };

/**
 * What one workflow execution knows and a continued one must not redo: activity results, the
 * recorded steps already stored, when each sleep ends and each wait began (workflow clock), the
 * signals received and whether the run is shown as paused.
 */
export interface CarriedJournal {
  steps: Record<string, NodeActivityResult>;
  recorded: string[];
  sleeps: Record<string, number>;
  waits: Record<string, number>;
  signals: Record<string, Json>;
  paused: boolean;
}

export interface TemporalRunInput {
  runId: string;
  workspaceId: string;
  definition: WorkflowDefinition;
  inputs: Record<string, Json>;
  /** Fixed when the run starts, so a later change to node types cannot change a replay. */
  catalog: TemporalCatalog;
  /** Secrets the definition references; the workflow only ever sees placeholders for them. */
  secretNames: string[];
  options: {
    /** A worker that stops heartbeating for this long is taken for dead; its activity is retried. */
    heartbeatTimeoutMs: number;
    /** History length after which the run continues as a new execution. */
    continueAsNewAfterEvents: number;
  };
  /** Set when this execution continues an earlier one. */
  carried?: CarriedJournal;
}

/** A step the interpreter resolved itself, waiting to be stored with the next write. */
export interface PendingRecord {
  stepKey: string;
  step: StepRecord;
}

export interface RunRef {
  runId: string;
  workspaceId: string;
}

export interface NodeActivityInput extends RunRef {
  stepKey: string;
  request: ActivityRequest;
  timeoutMs?: number;
  /** Stored before the node runs. */
  records: PendingRecord[];
}

export interface TemporalActivities {
  /** Marks the run started (status, started_at, run_started). */
  beginRun(input: RunRef): Promise<void>;
  /** Runs one node attempt and stores its step row and events. */
  runNode(input: NodeActivityInput): Promise<NodeActivityResult>;
  /** Stores recorded steps; with `paused` set, marks the run paused or resumed. */
  storeRecords(
    input: RunRef & {
      records: PendingRecord[];
      paused?: { waitingFor: string[] } | false;
    },
  ): Promise<void>;
  /** Stores what is left, the final status and run_finished. */
  finishRun(input: RunRef & { records: PendingRecord[]; outcome: RunOutcome }): Promise<void>;
}

/** A named signal for the run, e.g. a review decision: `review:<step key>`. */
export const deliverSignal = defineSignal<[{ name: string; payload: Json }]>('weft.signal');
export const cancelSignal = defineSignal('weft.cancel');

export interface TemporalRunState {
  status: 'running' | 'paused' | 'finishing';
  waitingFor: string[];
  activitiesInFlight: number;
  stepsCompleted: number;
  pendingRecords: number;
}
export const runStateQuery = defineQuery<TemporalRunState>('weft.state');
