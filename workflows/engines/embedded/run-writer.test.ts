// How the run writer groups writes into statements: a lazy write (a pure step's row) waits a moment
// for the next write and shares its statement, or goes out on its own shortly after; streamed model
// output goes out at once for its first piece, then at most once per moment (or, when this
// process's readers were shown it ahead, with the next write); idle() and the run's end do not wait.
import { describe, expect, it } from 'vitest';
import type { Db } from '@/db/client';
import type { RunEvent } from './engine';
import type { RunEventBus } from './event-bus';
import type { NewEvent, StepRow } from './journal';
import { noRedaction } from './redact';
import { RunWriter } from './run-writer';

function writer() {
  const batches: { events: string[]; steps: string[] }[] = [];
  const stored: number[] = [];
  const bus = { eventsStored: (_runId: string, seq: number) => stored.push(seq) } as unknown as RunEventBus;
  const store = async (lastSeq: number, events: NewEvent[], steps: StepRow[]) => {
    batches.push({ events: events.map((e) => e.type), steps: steps.map((s) => s.stepKey) });
    return lastSeq + events.length;
  };
  return { batches, stored, w: new RunWriter({} as Db, bus, 'run-1', 'ws-1', 1, noRedaction, store) };
}

const step = (stepKey: string): StepRow => ({
  stepKey,
  nodeId: stepKey,
  nodeType: 'template',
  attempt: 1,
  status: 'succeeded',
  startedAt: new Date(),
  finishedAt: new Date(),
});
const ev = (type: string): NewEvent => ({ type, data: {} });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RunWriter', () => {
  it('lets a lazy write share the statement of the next one', async () => {
    const { w, batches } = writer();
    void w.append([ev('run_started')], undefined, { lazy: true });
    void w.append([ev('node_finished')], step('start'), { lazy: true });
    await sleep(5);
    expect(batches).toEqual([]);
    await w.append([ev('node_started')]);
    expect(batches).toEqual([{ events: ['run_started', 'node_finished', 'node_started'], steps: ['start'] }]);
  });

  it('stores a lazy write on its own after a moment', async () => {
    const { w, batches } = writer();
    const began = performance.now();
    await w.append([ev('run_started')], undefined, { lazy: true });
    expect(performance.now() - began).toBeGreaterThanOrEqual(15);
    expect(batches).toEqual([{ events: ['run_started'], steps: [] }]);
  });

  it('sends the first piece of model output at once, then the rest together', async () => {
    const { w, batches } = writer();
    await w.append([ev('llm_delta')]);
    expect(batches).toHaveLength(1);
    const later = [w.append([ev('llm_delta')]), w.append([ev('llm_delta')])];
    await sleep(0);
    void w.append([ev('llm_delta')]);
    await Promise.all(later);
    expect(batches.map((b) => b.events.length)).toEqual([1, 3]);
  });

  it('stores at once what idle() waits for', async () => {
    const { w, batches } = writer();
    void w.append([ev('run_started')], undefined, { lazy: true });
    const began = performance.now();
    await w.idle();
    expect(performance.now() - began).toBeLessThan(15);
    expect(batches).toEqual([{ events: ['run_started'], steps: [] }]);
  });

  it('hands what is still queued to the run’s last statement without waiting', async () => {
    const { w, batches, stored } = writer();
    void w.append([ev('node_finished')], step('greet'), { lazy: true });
    const remaining = await w.takeRemaining();
    expect(remaining.events.map((e) => e.type)).toEqual(['node_finished']);
    expect(remaining.steps.map((s) => s.stepKey)).toEqual(['greet']);
    expect(remaining.firstSeq).toBe(2);
    remaining.settle();
    expect(batches).toEqual([]);
    expect(stored).toEqual([2]);
  });
});

describe('RunWriter showing model output ahead of its statement', () => {
  function aheadWriter() {
    const notices: { seq: number; types: string[]; ahead: boolean }[] = [];
    const bus = {
      eventsStored: (_runId: string, seq: number, events?: RunEvent[]) =>
        notices.push({ seq, types: (events ?? []).map((e) => e.type), ahead: false }),
      eventsAhead: (_runId: string, seq: number, events: RunEvent[]) =>
        notices.push({ seq, types: events.map((e) => `${e.seq}:${e.type}`), ahead: true }),
    } as unknown as RunEventBus;
    let release: () => void = () => {};
    let hold = false;
    const batches: string[][] = [];
    const store = async (lastSeq: number, events: NewEvent[]) => {
      batches.push(events.map((e) => e.type));
      if (hold) await new Promise<void>((resolve) => (release = resolve));
      return lastSeq + events.length;
    };
    const w = new RunWriter({} as Db, bus, 'run-1', 'ws-1', 1, noRedaction, store, true);
    return {
      w,
      notices,
      batches,
      hold: (on: boolean) => {
        hold = on;
        if (!on) release();
      },
    };
  }

  it('announces model output when it is queued, numbered as it will be stored', async () => {
    const { w, notices } = aheadWriter();
    await w.append([ev('node_started')]);
    const first = w.append([ev('llm_delta')]);
    // Shown before the statement that stores it has even started.
    expect(notices.at(-1)).toEqual({ seq: 3, types: ['3:llm_delta'], ahead: true });
    await first;
    void w.append([ev('llm_delta')]);
    expect(notices.at(-1)).toEqual({ seq: 4, types: ['4:llm_delta'], ahead: true });
    await w.idle();
    expect(notices.filter((n) => !n.ahead).map((n) => n.seq)).toEqual([2, 3, 4]);
  });

  it('stores model output it has shown with the next write, or on its own after a longer moment', async () => {
    const { w, batches } = aheadWriter();
    await w.append([ev('node_started')]);
    const pieces = [w.append([ev('llm_delta')]), w.append([ev('llm_delta')])];
    await sleep(60);
    // Shown already: no statement of its own yet, past the pace for unshown output.
    expect(batches).toEqual([['node_started']]);
    await w.append([ev('node_finished')], step('llm'));
    await Promise.all(pieces);
    expect(batches).toEqual([['node_started'], ['llm_delta', 'llm_delta', 'node_finished']]);
    // Alone, it goes out within SHOWN_DELTA_PACE_MS.
    const began = performance.now();
    await w.append([ev('llm_delta')]);
    expect(performance.now() - began).toBeGreaterThanOrEqual(150);
    expect(batches.at(-1)).toEqual(['llm_delta']);
  });

  it('lets a step row queued after model output it has shown wait as a lazy write, for the run’s end', async () => {
    const { w, batches } = aheadWriter();
    await w.append([ev('node_started')]);
    void w.append([ev('llm_delta')]);
    void w.append([ev('node_finished')], step('llm'), { lazy: true });
    await sleep(5);
    // Neither the shown output nor the lazy row forces a statement yet.
    expect(batches).toEqual([['node_started']]);
    const remaining = await w.takeRemaining();
    expect(remaining.events.map((e) => e.type)).toEqual(['llm_delta', 'node_finished']);
    expect(remaining.steps.map((s) => s.stepKey)).toEqual(['llm']);
    remaining.settle(undefined, { at: new Date(), added: [] });
    expect(batches).toEqual([['node_started']]);
  });

  it('stores a lazy row queued after shown model output within the lazy wait, not the longer one', async () => {
    const { w, batches } = aheadWriter();
    await w.append([ev('node_started')]);
    void w.append([ev('llm_delta')]);
    const began = performance.now();
    await w.append([ev('node_finished')], step('llm'), { lazy: true });
    expect(performance.now() - began).toBeLessThan(150);
    expect(batches).toEqual([['node_started'], ['llm_delta', 'node_finished']]);
  });

  it('does not announce model output while an earlier event is still unstored', async () => {
    const { w, notices, hold } = aheadWriter();
    hold(true);
    const started = w.append([ev('node_started')]);
    void w.append([ev('llm_delta')]);
    expect(notices).toEqual([]);
    hold(false);
    await started;
    await w.idle();
    // Both arrive with the stored notices, in order; nothing was shown out of sequence.
    expect(notices.every((n) => !n.ahead)).toBe(true);
    expect(notices.at(-1)?.seq).toBe(3);
    // Once caught up, the next piece is shown ahead again.
    void w.append([ev('llm_delta')]);
    expect(notices.at(-1)).toEqual({ seq: 4, types: ['4:llm_delta'], ahead: true });
    await w.idle();
  });

  it('never announces ahead for a store that numbers on its own', async () => {
    const ahead: number[] = [];
    const bus = {
      eventsStored: () => {},
      eventsAhead: (_runId: string, seq: number) => ahead.push(seq),
    } as unknown as RunEventBus;
    const shared = async (lastSeq: number, events: NewEvent[]) => lastSeq + 10 + events.length;
    const w = new RunWriter({} as Db, bus, 'run-1', 'ws-1', 1, noRedaction, shared);
    await w.append([ev('llm_delta')]);
    await w.append([ev('llm_delta')]);
    expect(ahead).toEqual([]);
  });
});
