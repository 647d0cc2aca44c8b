// The Build tab's draft with undo/redo: `set` records an edit (coalescing rapid edits that share a
// key, e.g. typing in one field), `undo` / `redo` walk the stack, `reset` starts over from a stored
// draft. The transitions are pure and tested in definition-history.ts.
'use client';

import { useCallback, useMemo, useState } from 'react';
import type { WorkflowDefinition } from '@/workflows/dsl/definition';
import {
  canRedo,
  canUndo,
  createHistory,
  type HistoryState,
  pushHistory,
  redoHistory,
  resetHistory,
  undoHistory,
} from './definition-history';

export interface SetOptions {
  /** Consecutive sets with the same key within about a second become one undo step. */
  coalesceKey?: string;
}

export interface DefinitionHistory {
  definition: WorkflowDefinition;
  set(next: WorkflowDefinition, options?: SetOptions): void;
  undo(): void;
  redo(): void;
  canUndo: boolean;
  canRedo: boolean;
  reset(definition: WorkflowDefinition): void;
}

export function useDefinitionHistory(initial: WorkflowDefinition): DefinitionHistory {
  const [state, setState] = useState<HistoryState<WorkflowDefinition>>(() => createHistory(initial));

  const set = useCallback((next: WorkflowDefinition, options?: SetOptions) => {
    // The clock is read here, in the event handler, not inside the updater, so a re-run updater
    // (React may call it twice in development) computes the same state.
    const now = Date.now();
    setState((current) => pushHistory(current, next, { coalesceKey: options?.coalesceKey, now }));
  }, []);
  // Undo and redo ignore their arguments, so they can be passed straight to onClick.
  const undo = useCallback(() => setState(undoHistory), []);
  const redo = useCallback(() => setState(redoHistory), []);
  const reset = useCallback((definition: WorkflowDefinition) => setState(resetHistory(definition)), []);

  return useMemo(
    () => ({
      definition: state.present,
      set,
      undo,
      redo,
      reset,
      canUndo: canUndo(state),
      canRedo: canRedo(state),
    }),
    [state, set, undo, redo, reset],
  );
}
