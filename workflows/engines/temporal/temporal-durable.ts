// The Durable port inside a Temporal workflow. Node attempts are activities (pure nodes local
// activities); sleeps are Temporal timers; signal waits are `condition`s over the signals the
// workflow has received. Steps the interpreter resolves itself are buffered and stored with the
// next activity, so they cost no round trip of their own. Everything the execution learns is kept
// in a journal, so when the history grows long the run continues as new and replays from it.
import {
  ActivityCancellationType,
  CancellationScope,
  condition,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import {
  type ActivityOptions,
  type ActivityRequest,
  type Durable,
  type Json,
  RunCancelledError,
  StepError,
  type StepRecord,
} from '@/workflows/interpreter/types';
import type {
  CarriedJournal,
  NodeActivityResult,
  PendingRecord,
  TemporalActivities,
  TemporalRunInput,
  TemporalRunState,
} from './contract';

/** Infrastructure failures only (worker lost, database unreachable): node failures are values. */
const INFRASTRUCTURE_RETRY = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '30 seconds',
  maximumAttempts: 20,
} as const;

/** Nodes without a timeout of their own; a dead worker is noticed by its missing heartbeat. */
const DEFAULT_ACTIVITY_LIMIT_MS = 24 * 60 * 60 * 1000;

function unwrap(result: NodeActivityResult): Json {
  if (result.ok) return result.output;
  throw new StepError(result.error);
}

/** Temporal reports cancellation as its own failures; the interpreter knows RunCancelledError. */
async function translatingCancellation<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (isCancellation(error)) throw new RunCancelledError();
    throw error;
  }
}

export class TemporalDurable implements Durable {
  readonly scope = new CancellationScope();
  private readonly journal: CarriedJournal;
  private readonly recorded: Set<string>;
  private pending: PendingRecord[] = [];
  private readonly pendingKeys = new Set<string>();
  private readonly waiting = new Set<string>();
  private inFlight = 0;
  private draining = false;
  private drained: () => void = () => {};
  /** Resolves once the run should continue as new and nothing is in flight. */
  readonly drainedForContinue: Promise<'continue'>;
  private readonly local: TemporalActivities;

  constructor(private readonly input: TemporalRunInput) {
    this.journal = input.carried ?? {
      steps: {},
      recorded: [],
      sleeps: {},
      waits: {},
      signals: {},
      paused: false,
    };
    this.recorded = new Set(this.journal.recorded);
    this.drainedForContinue = new Promise((resolve) => {
      this.drained = () => resolve('continue');
    });
    this.local = proxyLocalActivities<TemporalActivities>({
      startToCloseTimeout: '1 minute',
      retry: INFRASTRUCTURE_RETRY,
    });
  }

  private ref() {
    return { runId: this.input.runId, workspaceId: this.input.workspaceId };
  }

  /**
   * The activities for one step. Its step key is the activity id, so the history reads like the run
   * and a replay whose step keys differ from the recorded ones fails instead of mixing results.
   */
  private remoteFor(stepKey: string, limitMs: number): TemporalActivities {
    return proxyActivities<TemporalActivities>({
      activityId: stepKey,
      startToCloseTimeout: limitMs,
      heartbeatTimeout: this.input.options.heartbeatTimeoutMs,
      retry: INFRASTRUCTURE_RETRY,
      cancellationType: ActivityCancellationType.TRY_CANCEL,
    });
  }

  /** A signal sent to the run; the first one of each name counts. */
  deliver(name: string, payload: Json): void {
    if (!(name in this.journal.signals)) this.journal.signals[name] = payload;
  }

  takePending(): PendingRecord[] {
    const taken = this.pending;
    this.pending = [];
    this.pendingKeys.clear();
    for (const record of taken) this.recorded.add(record.stepKey);
    return taken;
  }

  /** What a continued execution starts from. Pending records must have been stored first. */
  carry(): CarriedJournal {
    return { ...this.journal, recorded: [...this.recorded] };
  }

  snapshot(): TemporalRunState {
    return {
      status: this.journal.paused ? 'paused' : 'running',
      waitingFor: [...this.waiting],
      activitiesInFlight: this.inFlight,
      stepsCompleted: Object.keys(this.journal.steps).length,
      pendingRecords: this.pending.length,
    };
  }

  /**
   * Before any new durable call: once the history is long, new calls wait forever (the continued
   * execution makes them) and the run continues as new when the calls in flight have returned.
   */
  private async gate(): Promise<void> {
    if (!this.draining) {
      const info = workflowInfo();
      if (info.historyLength < this.input.options.continueAsNewAfterEvents && !info.continueAsNewSuggested)
        return;
      this.draining = true;
    }
    this.checkDrained();
    await new Promise<never>(() => {});
  }

  private checkDrained(): void {
    if (this.draining && this.inFlight === 0) this.drained();
  }

  async activity(stepKey: string, request: ActivityRequest, opts: ActivityOptions): Promise<Json> {
    const done = this.journal.steps[stepKey];
    if (done) return unwrap(done);
    await this.gate();
    const records = this.takePending();
    const pure = this.input.catalog[request.nodeType]?.pure === true;
    const call = { ...this.ref(), stepKey, request, timeoutMs: opts.timeoutMs, records };
    const limitMs = (opts.timeoutMs ?? DEFAULT_ACTIVITY_LIMIT_MS) + 60_000;
    this.inFlight++;
    let result: NodeActivityResult;
    try {
      result = await translatingCancellation(
        pure ? this.local.runNode(call) : this.remoteFor(stepKey, limitMs).runNode(call),
      );
    } catch (error) {
      if (!(error instanceof RunCancelledError)) {
        // Infrastructure retries ran out: the records were not stored, keep them for the next write.
        for (const record of records) {
          this.recorded.delete(record.stepKey);
          this.pendingKeys.add(record.stepKey);
        }
        this.pending.unshift(...records);
        const message = error instanceof Error ? error.message : String(error);
        result = { ok: false, error: { message, code: 'engine_error', retryable: false } };
      } else {
        throw error;
      }
    } finally {
      this.inFlight--;
      this.checkDrained();
    }
    this.journal.steps[stepKey] = result;
    return unwrap(result);
  }

  async record(stepKey: string, step: StepRecord): Promise<void> {
    if (this.recorded.has(stepKey) || this.pendingKeys.has(stepKey)) return;
    this.pendingKeys.add(stepKey);
    this.pending.push({ stepKey, step });
  }

  /** Stores buffered records now (before a wait, so the run view is current while it lasts). */
  private async storePending(paused?: { waitingFor: string[] } | false): Promise<void> {
    if (this.pending.length === 0 && paused === undefined) return;
    const records = this.takePending();
    this.inFlight++;
    try {
      await translatingCancellation(this.local.storeRecords({ ...this.ref(), records, paused }));
    } finally {
      this.inFlight--;
      this.checkDrained();
    }
  }

  async sleep(stepKey: string, ms: number): Promise<void> {
    let until = this.journal.sleeps[stepKey];
    if (until === undefined) {
      await this.gate();
      until = Date.now() + ms;
      this.journal.sleeps[stepKey] = until;
    }
    const remaining = until - Date.now();
    if (remaining <= 0) return;
    await this.storePending();
    await translatingCancellation(sleep(remaining));
  }

  async waitForSignal<T extends Json>(name: string, timeoutMs?: number): Promise<T | undefined> {
    if (name in this.journal.signals) return this.journal.signals[name] as T;
    let startedAt = this.journal.waits[name];
    if (startedAt === undefined) {
      await this.gate();
      startedAt = Date.now();
      this.journal.waits[name] = startedAt;
    }
    const received = () => name in this.journal.signals;
    this.waiting.add(name);
    try {
      if (!this.journal.paused) {
        this.journal.paused = true;
        await this.storePending({ waitingFor: [...this.waiting] });
      } else {
        await this.storePending();
      }
      if (timeoutMs === undefined) await translatingCancellation(condition(received));
      else {
        const remaining = startedAt + timeoutMs - Date.now();
        if (remaining > 0) await translatingCancellation(condition(received, remaining));
      }
    } finally {
      this.waiting.delete(name);
    }
    if (this.waiting.size === 0 && this.journal.paused) {
      this.journal.paused = false;
      await this.storePending(false);
    }
    return received() ? (this.journal.signals[name] as T) : undefined;
  }
}
