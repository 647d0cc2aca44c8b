// The studio's view of a run follows its events: statuses, outputs, streamed text, pauses, the end.
import { describe, expect, it } from 'vitest';
import { applyRunEvent, isFinished, nodeStatuses, type RunEventMessage, startedRun } from './run-view-state';

const events: RunEventMessage[] = [
  { seq: 1, type: 'run_queued', nodeId: null, data: {} },
  { seq: 2, type: 'run_started', nodeId: null, data: {} },
  { seq: 3, type: 'node_finished', nodeId: 'start', data: { status: 'succeeded', output: { q: 'hi' } } },
  { seq: 4, type: 'node_started', nodeId: 'llm', data: { attempt: 1 } },
  { seq: 5, type: 'llm_delta', nodeId: 'llm', data: { delta: 'Hel' } },
  { seq: 6, type: 'llm_delta', nodeId: 'llm', data: { delta: 'lo' } },
  {
    seq: 7,
    type: 'node_finished',
    nodeId: 'llm',
    data: {
      status: 'succeeded',
      attempt: 1,
      output: { text: 'Hello' },
      elapsedMs: 12,
      usage: [{ promptTokens: 5, completionTokens: 2, cost: 0.001 }],
    },
  },
  { seq: 8, type: 'node_skipped', nodeId: 'other', data: {} },
  { seq: 9, type: 'review_requested', nodeId: 'review', data: { nodeId: 'review' } },
  { seq: 10, type: 'paused', nodeId: null, data: { waitingFor: ['review:review'] } },
];

describe('run view state', () => {
  it('follows a run through nodes, streamed text and a pause', () => {
    const state = events.reduce(applyRunEvent, startedRun('r1'));
    expect(state.status).toBe('paused');
    expect(state.waitingFor).toEqual(['review:review']);
    expect(nodeStatuses(state)).toEqual({
      start: 'succeeded',
      llm: 'succeeded',
      other: 'skipped',
      review: 'paused',
    });
    expect(state.nodes.llm).toMatchObject({
      output: { text: 'Hello' },
      elapsedMs: 12,
      attempts: 1,
      tokens: { prompt: 5, completion: 2, cost: 0.001 },
    });
    expect(state.streamed.llm).toBe('Hello');
    expect(isFinished(state)).toBe(false);
  });

  it('ends with the run and ignores events it has already seen', () => {
    let state = events.reduce(applyRunEvent, startedRun('r1'));
    state = applyRunEvent(state, { seq: 11, type: 'run_resumed', nodeId: null, data: {} });
    state = applyRunEvent(state, {
      seq: 12,
      type: 'node_finished',
      nodeId: 'review',
      data: { status: 'failed', error: { message: 'no', code: 'x' } },
    });
    state = applyRunEvent(state, {
      seq: 13,
      type: 'run_finished',
      nodeId: null,
      data: { status: 'failed', outputs: {}, error: { message: 'no' } },
    });
    const replayed = applyRunEvent(state, events[3] as RunEventMessage);
    expect(replayed).toBe(state);
    expect(state.status).toBe('failed');
    expect(state.nodes.review?.status).toBe('failed');
    expect(state.error).toEqual({ message: 'no' });
    expect(isFinished(state)).toBe(true);
    expect(state.events).toHaveLength(13);
  });
});
