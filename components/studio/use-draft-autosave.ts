// Saves the draft a moment after the builder stops editing, based on the revision it was loaded
// at. When someone else (another tab, another person) saved in between, the server refuses with
// CONFLICT and autosave stops: nothing is overwritten until the builder chooses to.
'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { useTRPCClient } from '@/components/trpc-provider';
import type { WorkflowDefinition } from '@/workflows/dsl/definition';

export type SaveState =
  | { kind: 'saved'; revision: number }
  | { kind: 'dirty' }
  | { kind: 'saving' }
  | { kind: 'error'; message: string }
  | { kind: 'conflict'; message: string };

interface Options {
  workspaceId: string;
  appId: string;
  definition: WorkflowDefinition;
  /** The revision `definition` was loaded at. */
  loadedRevision: number;
  /** Viewers never save. */
  enabled: boolean;
  delayMs?: number;
}

function errorCode(error: unknown): string | undefined {
  return (error as { data?: { code?: string } })?.data?.code;
}

export function useDraftAutosave({
  workspaceId,
  appId,
  definition,
  loadedRevision,
  enabled,
  delayMs = 800,
}: Options) {
  const client = useTRPCClient();
  const [state, setState] = useState<SaveState>({ kind: 'saved', revision: loadedRevision });
  const revision = useRef(loadedRevision);
  const savedJson = useRef(JSON.stringify(definition));
  const latest = useRef(definition);
  latest.current = definition;
  const inFlight = useRef(false);
  const blocked = useRef(false);

  const save = useCallback(async () => {
    if (inFlight.current || blocked.current) return;
    const json = JSON.stringify(latest.current);
    if (json === savedJson.current) return;
    inFlight.current = true;
    setState({ kind: 'saving' });
    try {
      const saved = await client.apps.saveDraft.mutate({
        workspaceId,
        appId,
        definition: latest.current,
        baseRevision: revision.current,
      });
      revision.current = saved.revision;
      savedJson.current = json;
      setState(
        JSON.stringify(latest.current) === json
          ? { kind: 'saved', revision: saved.revision }
          : { kind: 'dirty' },
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (errorCode(error) === 'CONFLICT') {
        blocked.current = true;
        setState({ kind: 'conflict', message });
      } else setState({ kind: 'error', message });
    } finally {
      inFlight.current = false;
    }
  }, [client, workspaceId, appId]);

  // Debounced: every change restarts the timer.
  useEffect(() => {
    if (!enabled || blocked.current) return;
    if (JSON.stringify(definition) === savedJson.current) return;
    setState((s) => (s.kind === 'saving' ? s : { kind: 'dirty' }));
    const timer = setTimeout(() => {
      void save();
    }, delayMs);
    return () => clearTimeout(timer);
  }, [definition, enabled, delayMs, save]);

  // A save that finished while edits were waiting picks them up.
  useEffect(() => {
    if (state.kind === 'dirty' && !inFlight.current && enabled) {
      const timer = setTimeout(() => void save(), delayMs);
      return () => clearTimeout(timer);
    }
  }, [state, enabled, delayMs, save]);

  return {
    state,
    /** The revision the next save is based on. */
    revision: () => revision.current,
    saveNow: save,
    /** After a conflict: save these edits over whatever is stored now. */
    async overwrite() {
      const current = await client.apps.getDraft.query({ workspaceId, appId });
      revision.current = current.revision;
      blocked.current = false;
      savedJson.current = '';
      await save();
    },
    /** After a conflict: take the stored draft (the caller resets its editor to it). */
    async takeStored(): Promise<{ definition: WorkflowDefinition; revision: number }> {
      const current = await client.apps.getDraft.query({ workspaceId, appId });
      revision.current = current.revision;
      savedJson.current = JSON.stringify(current.definition);
      blocked.current = false;
      setState({ kind: 'saved', revision: current.revision });
      return { definition: current.definition, revision: current.revision };
    },
  };
}
