// The one engine the rest of Weft talks to. New runs go to Temporal when it is configured and to
// the embedded engine otherwise; signals and cancellation go to whichever engine holds the run
// (a run started before Temporal was switched on finishes where it began). Reading a run's events
// is the same for both: they are rows in Postgres.
import { and, eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { runs } from '@/db/schema';
import type { Json } from '@/workflows/interpreter/types';
import { type EmbeddedEngine, EngineError, type StartRunInput } from './embedded/engine';
import type { RunEventBus } from './embedded/event-bus';
import type { TemporalEngine } from './temporal/engine';

export interface RunEngine {
  bus: RunEventBus;
  start(input: StartRunInput, opts?: { onFinished?: (status: string) => void }): Promise<{ runId: string }>;
  startAndWait(input: StartRunInput): Promise<{ runId: string; status: string }>;
  signal(
    workspaceId: string,
    runId: string,
    name: string,
    payload: Json,
    createdBy: string | null,
  ): Promise<void>;
  cancel(workspaceId: string, runId: string): Promise<{ status: string }>;
  events: EmbeddedEngine['events'];
}

export function createRunEngine(deps: {
  db: Db;
  embedded: EmbeddedEngine;
  temporal: TemporalEngine | null;
}): RunEngine & { engineName: 'embedded' | 'temporal' } {
  const { db, embedded, temporal } = deps;

  async function engineOf(workspaceId: string, runId: string) {
    const [run] = await db
      .select({ engine: runs.engine })
      .from(runs)
      .where(and(eq(runs.id, runId), eq(runs.workspaceId, workspaceId)));
    if (!run) throw new EngineError('run_not_found', 'Run not found');
    if (run.engine === 'embedded') return embedded;
    if (!temporal)
      throw new EngineError(
        'engine_unavailable',
        'The run executes on Temporal, which is not configured here',
      );
    return temporal;
  }

  return {
    engineName: temporal ? 'temporal' : 'embedded',
    bus: embedded.bus,
    start: (input, opts) => (temporal ?? embedded).start(input, opts),
    async startAndWait(input) {
      let finished: (status: string) => void = () => {};
      const ended = new Promise<string>((resolve) => {
        finished = resolve;
      });
      const { runId } = await this.start(input, { onFinished: (status) => finished(status) });
      return { runId, status: await ended };
    },
    async signal(workspaceId, runId, name, payload, createdBy) {
      const engine = await engineOf(workspaceId, runId);
      await engine.signal(workspaceId, runId, name, payload, createdBy);
    },
    async cancel(workspaceId, runId) {
      return (await engineOf(workspaceId, runId)).cancel(workspaceId, runId);
    },
    events: (runId, afterSeq, signal) => embedded.events(runId, afterSeq, signal),
  };
}
