// An in-memory `Durable` for fast interpreter unit tests: activities run test-supplied functions,
// sleeps resolve at once, signals are delivered by the test, and every call is logged by key.
import {
  type ActivityOptions,
  type ActivityRequest,
  type Durable,
  type Json,
  RunCancelledError,
  StepError,
  type StepRecord,
} from '@/workflows/interpreter/types';

export type ActivityFn = (config: Json, attempt: number) => Json | Promise<Json>;

export interface MemoryDurableOptions {
  /** Activity implementations by node type; throw a StepError to fail an attempt. */
  activities?: Record<string, ActivityFn>;
  /** When true, every waitForSignal resolves undefined at once (as if its deadline passed). */
  timeoutSignals?: boolean;
}

export interface MemoryDurable {
  durable: Durable;
  /** Step keys (and signal names) of every durable call, in call order. */
  calls: string[];
  records: Map<string, StepRecord>;
  /** What each activity attempt was asked to do, by attempt key. */
  activityRequests: Map<string, { request: ActivityRequest; options: ActivityOptions }>;
  sleeps: { key: string; ms: number }[];
  /** Signal names the run is waiting on right now. */
  waiting: Set<string>;
  /** Mutable so a test can switch signal timeouts on mid-run. */
  timeoutSignals: boolean;
  signal(name: string, payload: Json): void;
  cancel(): void;
  /** The most attempts of `nodeType` that ran at the same time. */
  maxInFlight(nodeType: string): number;
  /** Resolves once the run waits on `name` (for tests that signal as soon as a review is pending). */
  waitFor(name: string): Promise<void>;
}

export function createMemoryDurable(options: MemoryDurableOptions = {}): MemoryDurable {
  const activities = options.activities ?? {};
  const calls: string[] = [];
  const records = new Map<string, StepRecord>();
  const activityRequests = new Map<string, { request: ActivityRequest; options: ActivityOptions }>();
  const sleeps: { key: string; ms: number }[] = [];
  const waiting = new Set<string>();
  const inFlight = new Map<string, number>();
  const peak = new Map<string, number>();
  const delivered = new Map<string, Json>();
  const waiters = new Map<string, (payload: Json | undefined) => void>();
  const waitedFor = new Map<string, () => void>();
  /** Rejecters of every pending call, so cancel() can fail them all. */
  const pending = new Set<(error: Error) => void>();
  let cancelled = false;

  /** Runs `work` unless cancelled; a later cancel() rejects it even if `work` never settles. */
  const guarded = <T>(work: () => Promise<T>): Promise<T> => {
    if (cancelled) return Promise.reject(new RunCancelledError());
    return new Promise<T>((resolve, reject) => {
      const rejecter = (error: Error) => reject(error);
      pending.add(rejecter);
      work().then(
        (value) => {
          pending.delete(rejecter);
          if (cancelled) reject(new RunCancelledError());
          else resolve(value);
        },
        (error: unknown) => {
          pending.delete(rejecter);
          reject(cancelled ? new RunCancelledError() : error);
        },
      );
    });
  };

  const memory: MemoryDurable = {
    calls,
    records,
    activityRequests,
    sleeps,
    waiting,
    timeoutSignals: options.timeoutSignals ?? false,
    durable: {
      activity(stepKey, request, opts) {
        calls.push(stepKey);
        activityRequests.set(stepKey, { request, options: opts });
        return guarded(async () => {
          const fn = activities[request.nodeType];
          // Review requests need no implementation: the engine only persists them.
          if (!fn && request.nodeType === 'human-review.request') return null;
          if (!fn) {
            const message = `no activity for ${request.nodeType}`;
            throw new StepError({ message, code: 'node_error', retryable: false });
          }
          const now = (inFlight.get(request.nodeType) ?? 0) + 1;
          inFlight.set(request.nodeType, now);
          peak.set(request.nodeType, Math.max(peak.get(request.nodeType) ?? 0, now));
          try {
            return await fn(request.config, request.attempt);
          } finally {
            inFlight.set(request.nodeType, (inFlight.get(request.nodeType) ?? 1) - 1);
          }
        });
      },
      record(stepKey, step) {
        calls.push(stepKey);
        return guarded(async () => {
          // Idempotent per key, like the real journals: the first record wins.
          if (!records.has(stepKey)) records.set(stepKey, step);
        });
      },
      sleep(stepKey, ms) {
        calls.push(stepKey);
        return guarded(async () => {
          sleeps.push({ key: stepKey, ms });
        });
      },
      waitForSignal<T extends Json>(name: string, _timeoutMs?: number): Promise<T | undefined> {
        calls.push(name);
        return guarded(
          () =>
            new Promise<T | undefined>((resolve) => {
              if (memory.timeoutSignals) return resolve(undefined);
              if (delivered.has(name)) return resolve(delivered.get(name) as T);
              waiting.add(name);
              waiters.set(name, (payload) => resolve(payload as T | undefined));
              waitedFor.get(name)?.();
            }),
        );
      },
    },
    signal(name, payload) {
      delivered.set(name, payload);
      const waiter = waiters.get(name);
      waiters.delete(name);
      waiting.delete(name);
      waiter?.(payload);
    },
    cancel() {
      cancelled = true;
      for (const reject of pending) reject(new RunCancelledError());
      pending.clear();
    },
    maxInFlight: (nodeType) => peak.get(nodeType) ?? 0,
    waitFor(name) {
      if (waiting.has(name)) return Promise.resolve();
      return new Promise((resolve) => waitedFor.set(name, resolve));
    },
  };
  return memory;
}
