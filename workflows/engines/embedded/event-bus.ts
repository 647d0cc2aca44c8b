// Wakes the parts of the engine that wait: workers (a run became due), executors (a run they hold
// was cancelled or signalled) and event streams (new events were stored). In-process listeners
// are called directly; on PostgreSQL the same notices cross processes through LISTEN/NOTIFY.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Database } from '@/db/client';

const WAKE_CHANNEL = 'weft_wake';
const EVENTS_CHANNEL = 'weft_run_events';
const FINISHED_CHANNEL = 'weft_run_finished';

export interface RunEventBus {
  /** A run became due or changed (new, signalled, cancelled); `runId` when one run is concerned. */
  wake(runId?: string): void;
  onWake(listener: (runId: string | undefined) => void): () => void;
  /** Events of `runId` up to `seq` are stored. */
  eventsStored(runId: string, seq: number): void;
  onEventsStored(runId: string, listener: (seq: number) => void): () => void;
  /** The run reached a final status (stored). */
  runFinished(runId: string, status: string): void;
  onRunFinished(runId: string, listener: (status: string) => void): () => void;
  close(): Promise<void>;
}

export async function createEventBus(database: Database): Promise<RunEventBus> {
  const local = new EventEmitter();
  local.setMaxListeners(0);
  const origin = randomUUID();
  const remote = database.notifications;
  const unlisteners: (() => Promise<void>)[] = [];

  // Notices from other processes; our own come back too and are dropped (already emitted).
  if (remote) {
    unlisteners.push(
      await remote.listen(WAKE_CHANNEL, (payload) => {
        const [from, runId] = payload.split('|');
        if (from !== origin) local.emit('wake', runId || undefined);
      }),
      await remote.listen(EVENTS_CHANNEL, (payload) => {
        const [from, runId, seq] = payload.split('|');
        if (from !== origin && runId) local.emit(`events:${runId}`, Number(seq));
      }),
      await remote.listen(FINISHED_CHANNEL, (payload) => {
        const [from, runId, status] = payload.split('|');
        if (from !== origin && runId) local.emit(`finished:${runId}`, status);
      }),
    );
  }
  const send = (channel: string, payload: string) => {
    remote?.notify(channel, `${origin}|${payload}`).catch((error: unknown) => {
      console.error(`notify ${channel} failed:`, error);
    });
  };

  return {
    wake(runId) {
      local.emit('wake', runId);
      send(WAKE_CHANNEL, runId ?? '');
    },
    onWake(listener) {
      local.on('wake', listener);
      return () => local.off('wake', listener);
    },
    eventsStored(runId, seq) {
      local.emit(`events:${runId}`, seq);
      send(EVENTS_CHANNEL, `${runId}|${seq}`);
    },
    onEventsStored(runId, listener) {
      local.on(`events:${runId}`, listener);
      return () => local.off(`events:${runId}`, listener);
    },
    runFinished(runId, status) {
      local.emit(`finished:${runId}`, status);
      send(FINISHED_CHANNEL, `${runId}|${status}`);
    },
    onRunFinished(runId, listener) {
      local.on(`finished:${runId}`, listener);
      return () => local.off(`finished:${runId}`, listener);
    },
    async close() {
      await Promise.all(unlisteners.map((u) => u().catch(() => {})));
      local.removeAllListeners();
    },
  };
}
