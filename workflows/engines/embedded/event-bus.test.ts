// The event bus's notices to other processes: batched over a moment into one statement for every
// channel (the last notice per run counts; a wake at once), several notices per payload read back
// one by one, own notices ignored, and recently finished runs remembered.
import { describe, expect, it } from 'vitest';
import type { Database, Db } from '@/db/client';
import { createEventBus } from './event-bus';

function fakeDatabase() {
  const sent: { channel: string; payload: string }[] = [];
  /** How many notices each statement carried. */
  const statements: number[] = [];
  const listeners = new Map<string, (payload: string) => void>();
  const database: Database = {
    db: {} as Db,
    kind: 'postgres',
    close: async () => {},
    notifications: {
      async listen(channel, onMessage) {
        listeners.set(channel, onMessage);
        return async () => {
          listeners.delete(channel);
        };
      },
      async notify(notices) {
        statements.push(notices.length);
        sent.push(...notices);
      },
    },
  };
  return { database, sent, statements, listeners };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const moment = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('event bus notices between processes', () => {
  it('sends what was noticed within a moment as one statement, the last notice per run', async () => {
    const { database, sent, statements } = fakeDatabase();
    const bus = await createEventBus(database);
    bus.eventsStored('run-1', 2);
    bus.eventsStored('run-2', 5);
    await turn();
    bus.eventsStored('run-1', 4);
    bus.runFinished('run-2', 'succeeded');
    await turn();
    // Nothing pressing: the notices wait for company.
    expect(sent).toHaveLength(0);
    await moment(30);
    expect(statements).toEqual([2]);
    const byChannel = Object.fromEntries(sent.map((s) => [s.channel, s.payload.split('\n')]));
    const origin = byChannel.weft_run_events?.[0]?.split('|')[0];
    expect(byChannel.weft_run_events).toEqual([`${origin}|run-2|5`, `${origin}|run-1|4`]);
    expect(byChannel.weft_run_finished).toEqual([`${origin}|run-2|succeeded`]);
    await bus.close();
  });

  it('sends a wake at once, with whatever was waiting', async () => {
    const { database, sent, statements } = fakeDatabase();
    const bus = await createEventBus(database);
    bus.eventsStored('run-1', 3);
    bus.wake('run-3');
    await turn();
    expect(statements).toEqual([2]);
    const origin = sent[0]?.payload.split('|')[0];
    expect(sent).toEqual([
      { channel: 'weft_run_events', payload: `${origin}|run-1|3` },
      { channel: 'weft_wake', payload: `${origin}|run-3` },
    ]);
    await bus.close();
  });

  it('sends what is still waiting when it closes', async () => {
    const { database, sent } = fakeDatabase();
    const bus = await createEventBus(database);
    bus.runFinished('run-4', 'failed');
    await bus.close();
    expect(sent.map((s) => s.channel)).toEqual(['weft_run_finished']);
  });

  it('reads every notice of a payload and ignores its own', async () => {
    const { database, listeners, sent } = fakeDatabase();
    const bus = await createEventBus(database);
    const seen: string[] = [];
    bus.onEventsStored('run-1', (seq) => seen.push(`run-1@${seq}`));
    bus.onEventsStored('run-2', (seq) => seen.push(`run-2@${seq}`));
    bus.onRunFinished('run-2', (status) => seen.push(`run-2 ${status}`));
    listeners.get('weft_run_events')?.('other|run-1|3\nother|run-2|9');
    listeners.get('weft_run_finished')?.('other|run-2|failed');
    expect(seen).toEqual(['run-1@3', 'run-2@9', 'run-2 failed']);
    expect(bus.finishedStatus('run-2')).toBe('failed');

    // Its own notices come back through PostgreSQL too; they were delivered locally already.
    bus.eventsStored('run-1', 4);
    expect(seen.at(-1)).toBe('run-1@4');
    await moment(30);
    const own = sent.find((s) => s.channel === 'weft_run_events');
    expect(own?.payload).toMatch(/\|run-1\|4$/);
    listeners.get('weft_run_events')?.(own?.payload ?? '');
    expect(seen.filter((s) => s === 'run-1@4')).toHaveLength(1);
    await bus.close();
  });

  it('remembers runs it saw finish, and hands its own listeners the stored run', async () => {
    const { database } = fakeDatabase();
    const bus = await createEventBus(database);
    expect(bus.finishedStatus('run-9')).toBeUndefined();
    const got: unknown[] = [];
    bus.onRunFinished('run-9', (status, run) => got.push({ status, run }));
    const run = { status: 'succeeded', outputs: { answer: 'hi' }, error: null, usage: null };
    bus.runFinished('run-9', 'succeeded', run);
    expect(got).toEqual([{ status: 'succeeded', run }]);
    expect(bus.finishedStatus('run-9')).toBe('succeeded');
    await bus.close();
  });
});
