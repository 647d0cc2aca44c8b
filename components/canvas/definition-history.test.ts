import { describe, expect, it } from 'vitest';
import {
  canRedo,
  canUndo,
  createHistory,
  pushHistory,
  redoHistory,
  resetHistory,
  undoHistory,
} from './definition-history';

describe('definition history', () => {
  it('undoes and redoes edits in order', () => {
    let h = createHistory('a');
    h = pushHistory(h, 'b', { now: 0 });
    h = pushHistory(h, 'c', { now: 5000 });
    expect(h.present).toBe('c');
    h = undoHistory(h);
    expect(h.present).toBe('b');
    h = undoHistory(h);
    expect(h.present).toBe('a');
    expect(canUndo(h)).toBe(false);
    expect(undoHistory(h)).toBe(h);
    h = redoHistory(h);
    h = redoHistory(h);
    expect(h.present).toBe('c');
    expect(canRedo(h)).toBe(false);
    expect(redoHistory(h)).toBe(h);
  });

  it('drops the redo stack when a new edit is made', () => {
    let h = createHistory(1);
    h = pushHistory(h, 2, { now: 0 });
    h = undoHistory(h);
    expect(canRedo(h)).toBe(true);
    h = pushHistory(h, 3, { now: 10 });
    expect(canRedo(h)).toBe(false);
    expect(undoHistory(h).present).toBe(1);
  });

  it('ignores a set of the same value', () => {
    const h = pushHistory(createHistory('a'), 'b', { now: 0 });
    expect(pushHistory(h, 'b', { now: 1 })).toBe(h);
  });

  it('merges consecutive sets with one coalesce key within a second', () => {
    let h = createHistory('');
    h = pushHistory(h, 'H', { now: 1000, coalesceKey: 'node:a' });
    h = pushHistory(h, 'He', { now: 1400, coalesceKey: 'node:a' });
    h = pushHistory(h, 'Hel', { now: 2300, coalesceKey: 'node:a' });
    expect(h.past).toEqual(['']);
    expect(undoHistory(h).present).toBe('');
  });

  it('starts a new step after a pause, another key, no key, or an undo', () => {
    let h = createHistory('0');
    h = pushHistory(h, '1', { now: 0, coalesceKey: 'k' });
    h = pushHistory(h, '2', { now: 1500, coalesceKey: 'k' });
    expect(h.past).toEqual(['0', '1']);
    h = pushHistory(h, '3', { now: 1600, coalesceKey: 'other' });
    expect(h.past).toEqual(['0', '1', '2']);
    h = pushHistory(h, '4', { now: 1700 });
    h = pushHistory(h, '5', { now: 1750 });
    expect(h.past).toEqual(['0', '1', '2', '3', '4']);
    h = pushHistory(h, '6', { now: 1800, coalesceKey: 'k' });
    h = undoHistory(h);
    h = pushHistory(h, '6b', { now: 1850, coalesceKey: 'k' });
    expect(h.past.at(-1)).toBe('5');
    expect(undoHistory(h).present).toBe('5');
  });

  it('keeps at most `limit` undo steps', () => {
    let h = createHistory(0);
    for (let i = 1; i <= 150; i++) h = pushHistory(h, i, { now: i * 10_000 });
    expect(h.past).toHaveLength(100);
    expect(h.past[0]).toBe(50);
    let small = createHistory(0);
    for (let i = 1; i <= 5; i++) small = pushHistory(small, i, { now: i * 10_000, limit: 3 });
    expect(small.past).toEqual([2, 3, 4]);
  });

  it('reset empties both stacks', () => {
    let h = pushHistory(createHistory('a'), 'b', { now: 0 });
    h = undoHistory(h);
    h = resetHistory('z');
    expect(h).toMatchObject({ present: 'z', past: [], future: [] });
  });
});
