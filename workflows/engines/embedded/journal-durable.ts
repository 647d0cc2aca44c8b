// The Durable port on the embedded engine for one run: journaled steps return their stored result;
// new ones execute (activities), are recorded, or wait (timers, signals) through the execution
// state, and are written through the run's writer.
import type { Db } from '@/db/client';
import {
  type ActivityRequest,
  type Durable,
  type Json,
  StepError,
  type StepRecord,
} from '@/workflows/interpreter/types';
import type { NodeServices } from '@/workflows/nodes/node-spec';
import type { ExecutionState } from './execution-state';
import { ensureTimer, type JournalState, readSignal } from './journal';
import { recordWrites, runJournaledStep } from './journaled-step';
import type { EngineNodeSpec } from './run-executor';
import type { RunWriter } from './run-writer';

export interface JournalDurableDeps {
  db: Db;
  runId: string;
  workspaceId: string;
  journal: JournalState;
  writer: RunWriter;
  state: ExecutionState;
  catalog: Record<string, EngineNodeSpec>;
  services: NodeServices;
  /** Set once any step reports model usage. */
  usageSeen: { seen: boolean };
  /** Settles once the run's row exists (direct dispatch): timers refer to it. */
  rowStored: Promise<void>;
}

export function createJournalDurable(deps: JournalDurableDeps): Durable {
  const { db, runId, workspaceId, journal, writer, state } = deps;
  /** Rows of side-effecting steps queued and not yet stored. */
  let unstoredEffects = 0;
  return {
    async activity(stepKey: string, request: ActivityRequest, activityOpts) {
      state.throwIfCancelled();
      const done = journal.steps.get(stepKey);
      if (done) {
        if (done.status === 'succeeded') return done.output;
        throw new StepError(done.error ?? { message: 'Step failed', code: 'node_error', retryable: false });
      }
      const pure = deps.catalog[request.nodeType]?.pure === true;
      return state.track(async () => {
        // A side effect starts only once every earlier side effect's row is stored, so a crash never
        // repeats one whose result another side effect may have used. Until then such a row waits in
        // the writer's queue like a pure step's: pure work (recomputed on replay) may use its result,
        // and when nothing else happens before the run ends, the row goes out in the run's final
        // statement. A chat turn's model step thus costs no statement of its own, and its model call
        // starts without waiting for the start node's row.
        if (!pure && unstoredEffects > 0) await writer.idle();
        const result = await runJournaledStep(
          {
            writer,
            env: {
              runId,
              workspaceId,
              catalog: deps.catalog,
              runSignal: state.abortSignal,
              services: deps.services,
            },
            onUsage: () => {
              deps.usageSeen.seen = true;
            },
            lazy: true,
          },
          stepKey,
          request,
          activityOpts.timeoutMs,
        );
        if (pure) result.stored.catch(() => {});
        else {
          // A failed write stays the writer's failure: the next idle() (above, or the run's end) throws it.
          unstoredEffects += 1;
          result.stored.then(
            () => {
              unstoredEffects -= 1;
            },
            () => {},
          );
        }
        journal.steps.set(stepKey, {
          status: result.status,
          output: result.output,
          error: result.failure?.toData() ?? null,
        });
        if (result.failure) throw result.failure;
        return result.output;
      });
    },

    async record(stepKey: string, step: StepRecord) {
      state.throwIfCancelled();
      if (journal.steps.has(stepKey)) return;
      await state.track(async () => {
        const { event, row } = recordWrites(stepKey, step, new Date());
        // Recorded outcomes are recomputed on replay, so the run need not wait for the row (which
        // may as well share the next write's statement).
        writer.append([event], row, { lazy: true }).catch(() => {});
        journal.steps.set(stepKey, {
          status: step.status,
          output: step.output ?? null,
          error: step.error ?? null,
        });
      });
    },

    async sleep(stepKey: string, ms: number) {
      state.throwIfCancelled();
      let fireAt = journal.timers.get(stepKey);
      if (fireAt === undefined) {
        fireAt = await state.track(async () => {
          await deps.rowStored;
          return ensureTimer(db, runId, workspaceId, stepKey, new Date(Date.now() + ms));
        });
        journal.timers.set(stepKey, fireAt);
      }
      if (fireAt <= Date.now()) return;
      await state.wait('timer', stepKey, fireAt);
    },

    async waitForSignal<T extends Json>(name: string, timeoutMs?: number): Promise<T | undefined> {
      state.throwIfCancelled();
      if (journal.signals.has(name)) return journal.signals.get(name) as T;
      let fireAt: number | undefined;
      if (timeoutMs !== undefined) {
        const key = `deadline:${name}`;
        fireAt = journal.timers.get(key);
        if (fireAt === undefined) {
          fireAt = await state.track(async () => {
            await deps.rowStored;
            return ensureTimer(db, runId, workspaceId, key, new Date(Date.now() + timeoutMs));
          });
          journal.timers.set(key, fireAt);
        }
      }
      // The signal may have arrived after the journal was loaded.
      const fresh = await state.track(() => readSignal(db, runId, name));
      if (fresh) {
        journal.signals.set(name, fresh.payload);
        return fresh.payload as T;
      }
      if (fireAt !== undefined && fireAt <= Date.now()) return undefined;
      return (await state.wait('signal', name, fireAt)) as T | undefined;
    },
  };
}
