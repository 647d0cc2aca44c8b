// Undo/redo for the draft being edited, as pure state transitions (the React hook in
// use-definition-history.ts only holds the state). Consecutive edits that share a coalesce key and
// arrive close together become one step, so typing a title is undone in one go, not per keystroke.

export interface HistoryState<T> {
  /** Oldest first; the last entry is what undo returns to. */
  past: T[];
  present: T;
  /** Nearest first; the first entry is what redo returns to. */
  future: T[];
  /** The coalesce key of the last set, and when it happened; cleared by undo, redo and reset. */
  lastKey: string | null;
  lastAt: number;
}

export interface PushOptions {
  coalesceKey?: string;
  /** Milliseconds since the epoch (Date.now() in the browser; fixed in tests). */
  now: number;
  /** Steps kept in the undo stack (default 100). */
  limit?: number;
  /** Sets with the same key closer together than this merge (default 1000 ms). */
  coalesceMs?: number;
}

export const DEFAULT_HISTORY_LIMIT = 100;
export const DEFAULT_COALESCE_MS = 1000;

export function createHistory<T>(initial: T): HistoryState<T> {
  return { past: [], present: initial, future: [], lastKey: null, lastAt: 0 };
}

/** Makes `next` the present; the old present goes onto the undo stack unless the edit coalesces. */
export function pushHistory<T>(state: HistoryState<T>, next: T, options: PushOptions): HistoryState<T> {
  if (Object.is(next, state.present)) return state;
  const { coalesceKey, now } = options;
  const limit = Math.max(1, options.limit ?? DEFAULT_HISTORY_LIMIT);
  const window = options.coalesceMs ?? DEFAULT_COALESCE_MS;
  const coalesces =
    coalesceKey !== undefined &&
    state.lastKey === coalesceKey &&
    now - state.lastAt < window &&
    // With nothing to undo there is no step to merge into.
    state.past.length > 0;
  const past = coalesces ? state.past : [...state.past, state.present];
  return {
    past: past.length > limit ? past.slice(past.length - limit) : past,
    present: next,
    future: [],
    lastKey: coalesceKey ?? null,
    lastAt: now,
  };
}

export function undoHistory<T>(state: HistoryState<T>): HistoryState<T> {
  const previous = state.past.at(-1);
  if (state.past.length === 0) return state;
  return {
    past: state.past.slice(0, -1),
    present: previous as T,
    future: [state.present, ...state.future],
    lastKey: null,
    lastAt: 0,
  };
}

export function redoHistory<T>(state: HistoryState<T>): HistoryState<T> {
  if (state.future.length === 0) return state;
  const [next, ...rest] = state.future;
  return {
    past: [...state.past, state.present],
    present: next as T,
    future: rest,
    lastKey: null,
    lastAt: 0,
  };
}

/** Starts over from `present` with empty stacks (e.g. after loading the stored draft). */
export function resetHistory<T>(present: T): HistoryState<T> {
  return createHistory(present);
}

export const canUndo = <T>(state: HistoryState<T>): boolean => state.past.length > 0;
export const canRedo = <T>(state: HistoryState<T>): boolean => state.future.length > 0;
