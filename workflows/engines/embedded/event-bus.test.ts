// The event bus's notices to other processes: batched into one NOTIFY per channel (the last notice
// per run counts), several notices per payload read back one by one, own notices ignored, and
// recently finished runs remembered.
import { describe, expect, it } from 'vitest';
import type { Database, Db } from '@/db/client';
import { createEventBus } from './event-bus';

function fakeDatabase() {
  const sent: { channel: string; payload: string }[] = [];
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
      async notify(channel, payload) {
        sent.push({ channel, payload });
      },
    },
  };
  return { database, sent, listeners };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('event bus notices between processes', () => {
  it('sends what was noticed in one turn as one NOTIFY per channel, the last per run', async () => {
    const { database, sent } = fakeDatabase();
    const bus = await createEventBus(database);
    bus.eventsStored('run-1', 2);
    bus.eventsStored('run-2', 5);
    bus.eventsStored('run-1', 4);
    bus.runFinished('run-2', 'succeeded');
    bus.wake('run-3');
    await turn();
    await turn();
    const byChannel = Object.fromEntries(sent.map((s) => [s.channel, s.payload.split('\n')]));
    expect(sent).toHaveLength(3);
    const origin = byChannel.weft_run_events?.[0]?.split('|')[0];
    expect(byChannel.weft_run_events).toEqual([`${origin}|run-2|5`, `${origin}|run-1|4`]);
    expect(byChannel.weft_run_finished).toEqual([`${origin}|run-2|succeeded`]);
    expect(byChannel.weft_wake).toEqual([`${origin}|run-3`]);
    await bus.close();
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
    await turn();
    await turn();
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
