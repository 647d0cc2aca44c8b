// A timer wait held in memory resolves only once the wall clock has reached its fire time, even
// when the platform's timer fires a little before it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExecutionState } from './execution-state';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('ExecutionState timer waits', () => {
  it('waits out the rest when its timer fires before the wall clock reaches the fire time', async () => {
    let now = 1_000_000;
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    const state = new ExecutionState(60_000, () => {});
    let fired = false;
    void state.wait('timer', 'backoff', now + 30).then(() => {
      fired = true;
    });
    // The platform timer has run its 30 ms, but the wall clock says only 28 have passed.
    now += 28;
    await sleep(45);
    expect(fired).toBe(false);
    now += 2;
    await sleep(20);
    expect(fired).toBe(true);
  });
});
