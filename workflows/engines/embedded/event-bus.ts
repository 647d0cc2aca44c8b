// Wakes the parts of the engine that wait: workers (a run became due), executors (a run they hold
// was cancelled or signalled) and event streams (new events were stored). In-process listeners
// are called directly; on PostgreSQL the same notices cross processes through LISTEN/NOTIFY.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Database } from '@/db/client';
import type { RunEvent } from './engine';
import { RecentEvents } from './recent-events';

const WAKE_CHANNEL = 'weft_wake';
const EVENTS_CHANNEL = 'weft_run_events';
const FINISHED_CHANNEL = 'weft_run_finished';
/**
 * How long a notice for other processes (stored events, a finished run) waits for company. Under
 * load a process then sends one statement per moment instead of one per run and channel, and each
 * process listening is woken that much less often; readers in this process are told at once.
 */
const NOTICE_BATCH_MS = 10;
/** How long finishedStatus remembers a run. */
const FINISHED_MEMORY_MS = 60_000;

/** A finished run's outcome as stored in its row. */
export interface FinishedRun {
  status: string;
  outputs: unknown;
  error: unknown;
  usage: unknown;
  /** The rest of the row and its step count, when the embedded engine finished it. */
  detail?: {
    workspaceId: string;
    appId: string;
    appVersionId: string | null;
    inputs: unknown;
    createdAt: Date;
    startedAt: Date | null;
    finishedAt: Date;
    /** Steps that ran (not skipped, not a review's request). */
    totalSteps: number;
  };
}

export interface RunEventBus {
  /** A run became due or changed (new, signalled, cancelled); `runId` when one run is concerned. */
  wake(runId?: string): void;
  onWake(listener: (runId: string | undefined) => void): () => void;
  /**
   * Events of `runId` up to `seq` are stored. `events`, when given, are the ones just stored (as a
   * reader would read them): listeners of this process may use them instead of reading them back.
   */
  eventsStored(runId: string, seq: number, events?: RunEvent[]): void;
  onEventsStored(runId: string, listener: (seq: number, events?: RunEvent[]) => void): () => void;
  /**
   * `events`, numbered up to `seq`, are queued by this process's writer right after everything it
   * has already announced, and will be stored with exactly these numbers: this process's readers
   * may show them now. Reaches onEventsStored listeners of this process only; other processes hear
   * of them once they are stored.
   */
  eventsAhead(runId: string, seq: number, events: RunEvent[]): void;
  /**
   * The events after `afterSeq` of a run this process is writing, when it holds all of them (see
   * RecentEvents): a reader starting then need not read them back. Null: read the table.
   */
  recentEvents(runId: string, afterSeq: number): RunEvent[] | null;
  /**
   * The run reached a final status (stored). `run`, the run as stored, reaches listeners of this
   * process only (those of other processes read it).
   */
  runFinished(runId: string, status: string, run?: FinishedRun): void;
  onRunFinished(runId: string, listener: (status: string, run?: FinishedRun) => void): () => void;
  /**
   * The final status of a run this process heard finish in the last minute, else undefined: lets a
   * waiter that subscribes after starting a run skip reading it (a lost notice is still covered by
   * the waiter's periodic re-read).
   */
  finishedStatus(runId: string): string | undefined;
  close(): Promise<void>;
}

/** PostgreSQL's NOTIFY payloads must stay under 8000 bytes: lines packed into payloads below that. */
const MAX_PAYLOAD = 7_000;

function payloads(lines: string[]): string[] {
  const out: string[] = [];
  let current = '';
  for (const line of lines) {
    if (current && current.length + 1 + line.length > MAX_PAYLOAD) {
      out.push(current);
      current = '';
    }
    current = current ? `${current}\n${line}` : line;
  }
  if (current) out.push(current);
  return out;
}

export async function createEventBus(database: Database): Promise<RunEventBus> {
  const local = new EventEmitter();
  local.setMaxListeners(0);
  const recent = new RecentEvents();
  const origin = randomUUID();
  const remote = database.notifications;
  const unlisteners: (() => Promise<void>)[] = [];
  // Oldest first (insertion order), so expired entries are dropped from the front.
  const finished = new Map<string, { status: string; at: number }>();
  const remember = (runId: string, status: string) => {
    const now = Date.now();
    finished.delete(runId);
    finished.set(runId, { status, at: now });
    for (const [id, entry] of finished) {
      if (now - entry.at < FINISHED_MEMORY_MS) break;
      finished.delete(id);
    }
  };

  // Notices from other processes; our own come back too and are dropped (already emitted). A
  // NOTIFY payload holds one or more notices, one a line (see send).
  const each = (handle: (from: string, a: string, b: string) => void) => (payload: string) => {
    for (const line of payload.split('\n')) {
      const [from = '', a = '', b = ''] = line.split('|');
      handle(from, a, b);
    }
  };
  if (remote) {
    unlisteners.push(
      await remote.listen(
        WAKE_CHANNEL,
        each((from, runId) => {
          if (from !== origin) local.emit('wake', runId || undefined);
        }),
      ),
      await remote.listen(
        EVENTS_CHANNEL,
        each((from, runId, seq) => {
          if (from !== origin && runId) {
            recent.note(runId, Number(seq));
            local.emit(`events:${runId}`, Number(seq));
          }
        }),
      ),
      await remote.listen(
        FINISHED_CHANNEL,
        each((from, runId, status) => {
          if (from !== origin && runId) {
            if (status) remember(runId, status);
            local.emit(`finished:${runId}`, status);
          }
        }),
      ),
    );
  }

  // Notices for other processes go out in batches: every notice queued within NOTICE_BATCH_MS, on
  // every channel, in one statement (the last notice per key counts: for stored events, the highest
  // number of each run; readers re-read from where they are). A wake goes out at once: another
  // process's worker may be waiting to start that run.
  const outbox = new Map<string, Map<string, string>>();
  let batchTimer: ReturnType<typeof setTimeout> | undefined;
  let sending: Promise<void> | undefined;
  const flush = async () => {
    if (!remote || outbox.size === 0) return;
    const batch = [...outbox].flatMap(([channel, notices]) =>
      payloads([...notices.values()].map((n) => `${origin}|${n}`)).map((payload) => ({ channel, payload })),
    );
    outbox.clear();
    await remote.notify(batch).catch((error: unknown) => {
      console.error('notify failed:', error);
    });
  };
  const sendNow = () => {
    clearTimeout(batchTimer);
    batchTimer = undefined;
    sending = flush().finally(() => {
      sending = undefined;
      // What was queued while the statement was out.
      if (outbox.size > 0) schedule(outbox.has(WAKE_CHANNEL));
    });
  };
  const schedule = (now: boolean) => {
    if (sending) return; // picked up when the statement under way is done
    if (now) sendNow();
    else batchTimer ??= setTimeout(sendNow, NOTICE_BATCH_MS);
  };
  const send = (channel: string, key: string, notice: string) => {
    if (!remote) return;
    let notices = outbox.get(channel);
    if (!notices) {
      notices = new Map();
      outbox.set(channel, notices);
    }
    notices.delete(key);
    notices.set(key, notice);
    schedule(channel === WAKE_CHANNEL);
  };

  return {
    wake(runId) {
      local.emit('wake', runId);
      send(WAKE_CHANNEL, runId ?? '', runId ?? '');
    },
    onWake(listener) {
      local.on('wake', listener);
      return () => local.off('wake', listener);
    },
    eventsStored(runId, seq, events) {
      recent.note(runId, seq, events);
      local.emit(`events:${runId}`, seq, events);
      send(EVENTS_CHANNEL, runId, `${runId}|${seq}`);
    },
    eventsAhead(runId, seq, events) {
      recent.note(runId, seq, events);
      local.emit(`events:${runId}`, seq, events);
    },
    onEventsStored(runId, listener) {
      local.on(`events:${runId}`, listener);
      return () => local.off(`events:${runId}`, listener);
    },
    recentEvents(runId, afterSeq) {
      return recent.after(runId, afterSeq);
    },
    runFinished(runId, status, run) {
      remember(runId, status);
      local.emit(`finished:${runId}`, status, run);
      send(FINISHED_CHANNEL, runId, `${runId}|${status}`);
    },
    onRunFinished(runId, listener) {
      local.on(`finished:${runId}`, listener);
      return () => local.off(`finished:${runId}`, listener);
    },
    finishedStatus(runId) {
      return finished.get(runId)?.status;
    },
    async close() {
      // Whatever is still queued goes out now.
      while (sending || batchTimer) {
        if (!sending) sendNow();
        await sending;
      }
      await Promise.all(unlisteners.map((u) => u().catch(() => {})));
      local.removeAllListeners();
    },
  };
}
