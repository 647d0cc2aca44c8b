// Follows one run's Server-Sent Events (GET /api/runs/<id>/events) into the run view state. The
// browser's EventSource reconnects by itself with Last-Event-ID, and the reducer drops events it
// has seen, so a dropped connection loses nothing.
'use client';

import { useEffect, useState } from 'react';
import {
  applyRunEvent,
  idleRun,
  type RunEventMessage,
  type RunViewState,
  startedRun,
} from './run-view-state';

export function useRunStream(runId: string | null): RunViewState {
  const [state, setState] = useState<RunViewState>(idleRun);

  useEffect(() => {
    if (!runId) {
      setState(idleRun);
      return;
    }
    setState(startedRun(runId));
    const source = new EventSource(`/api/runs/${runId}/events`);
    const onMessage = (message: MessageEvent<string>) => {
      let event: RunEventMessage;
      try {
        event = JSON.parse(message.data) as RunEventMessage;
      } catch {
        return;
      }
      setState((current) => (current.runId === runId ? applyRunEvent(current, event) : current));
      // The server ends the stream after run_finished; without this the browser would reconnect.
      if (event.type === 'run_finished') source.close();
    };
    // Events are named by type; listening to each name the engine emits keeps `message` unused.
    const types = [
      'run_queued',
      'run_started',
      'run_resumed',
      'paused',
      'node_started',
      'node_retry',
      'node_finished',
      'node_skipped',
      'review_requested',
      'llm_delta',
      'run_finished',
    ];
    for (const type of types) source.addEventListener(type, onMessage as EventListener);
    return () => {
      for (const type of types) source.removeEventListener(type, onMessage as EventListener);
      source.close();
    };
  }, [runId]);

  return state;
}
