// Notices between processes through PostgreSQL's LISTEN/NOTIFY: two buses on one database, as two
// processes have. Stored events, a finished run and a wake reach the other bus (the batched ones
// within a moment, in one statement), and a bus ignores its own notices coming back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '@/db/client';
import { createEventBus, type RunEventBus } from '@/workflows/engines/embedded/event-bus';
import { testDatabases } from '../support/databases';

const postgres = testDatabases().find((d) => d.name === 'postgres');

/** Resolves with what `listen` hands its callback first, or rejects after `ms`. */
function first<T>(listen: (deliver: (value: T) => void) => () => void, ms = 5_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nothing arrived within ${ms} ms`)), ms);
    const off = listen((value) => {
      clearTimeout(timer);
      off();
      resolve(value);
    });
  });
}

describe.skipIf(!postgres)('event bus notices between processes on PostgreSQL', () => {
  let one: Database;
  let two: Database;
  let sender: RunEventBus;
  let receiver: RunEventBus;
  beforeAll(async () => {
    const target = await postgres?.target();
    if (target?.kind !== 'postgres') throw new Error('no PostgreSQL target');
    one = await openDatabase(target);
    two = await openDatabase(target);
    sender = await createEventBus(one);
    receiver = await createEventBus(two);
  });
  afterAll(async () => {
    await sender?.close();
    await receiver?.close();
    await one?.close();
    await two?.close();
  });

  it('carries stored events and a finished run to the other process in one statement', async () => {
    const stored = first<number>((deliver) => receiver.onEventsStored('run-a', (seq) => deliver(seq)));
    const finished = first<string>((deliver) => receiver.onRunFinished('run-a', (status) => deliver(status)));
    sender.eventsStored('run-a', 3);
    sender.eventsStored('run-a', 7);
    sender.runFinished('run-a', 'succeeded');
    // The last number of the run counts; the finished run is remembered on arrival.
    expect(await stored).toBe(7);
    expect(await finished).toBe('succeeded');
    expect(receiver.finishedStatus('run-a')).toBe('succeeded');
  });

  it('wakes the other process, and ignores its own notices', async () => {
    const woken = first<string | undefined>((deliver) => receiver.onWake((runId) => deliver(runId)));
    const own: (string | undefined)[] = [];
    const offOwn = sender.onWake((runId) => own.push(runId));
    sender.wake('run-b');
    expect(await woken).toBe('run-b');
    // Delivered once, in this process, when it was sent; not again when PostgreSQL echoes it.
    await new Promise((resolve) => setTimeout(resolve, 200));
    offOwn();
    expect(own).toEqual(['run-b']);
  });
});
