// Human review: a run pauses at a review node (status paused, review_requested and paused events)
// after running the nodes before it once; a decision sent through the runs API resumes it without
// re-running them and takes the matching branch; a second decision and an invalid one are refused.
import { describe, expect, it } from 'vitest';
import { DomainError } from '@/server/errors';
import { conformanceEngines, engineSuite } from '../support/conformance-engines';
import { workflow } from '../support/engine-harness';
import { errorOf } from '../support/trpc-harness';

describe.each(conformanceEngines())('human review on $name', ({ name }) => {
  const suite = engineSuite(name);

  /** before → review → approved: after / rejected: rejected → pick → end; paths under `prefix`. */
  const reviewFlow = (prefix: string) =>
    workflow(
      [
        { id: 'start', type: 'start', config: { inputs: [{ name: 'draft', type: 'string' }] } },
        { id: 'before', type: 'http', config: { url: `${suite.api.url}${prefix}/before` } },
        {
          id: 'review',
          type: 'human-review',
          config: { instructions: 'Check the draft', data: { text: '{{start.draft}}' } },
        },
        { id: 'after', type: 'http', config: { url: `${suite.api.url}${prefix}/after` } },
        { id: 'rejected', type: 'template', config: { template: 'rejected: {{review.comment}}' } },
        {
          id: 'pick',
          type: 'join',
          // Skipped branches resolve to null; the first non-null value is the branch taken.
          config: { mode: 'first', values: { no: '{{rejected.text}}', ok: '{{review.data.text}}' } },
        },
        {
          id: 'end',
          type: 'end',
          config: {
            outputs: {
              result: '{{pick.value}}',
              decision: '{{review.decision}}',
              comment: '{{review.comment}}',
            },
          },
        },
      ],
      [
        ['start', 'before'],
        ['before', 'review'],
        ['review', 'after', 'approved'],
        ['review', 'rejected', 'rejected'],
        ['after', 'pick'],
        ['rejected', 'pick'],
        ['pick', 'end'],
      ],
    );

  async function startPaused(prefix: string, draft: string) {
    const runId = await suite.engine.start(reviewFlow(prefix), { draft });
    const paused = await suite.engine.waitFor(runId, ['paused']);
    expect(paused.status).toBe('paused');
    const events = await suite.engine.events(runId);
    const types = events.map((e) => e.type);
    expect(types).toContain('review_requested');
    expect(events.find((e) => e.type === 'review_requested')).toMatchObject({ nodeId: 'review' });
    expect(events.at(-1)).toMatchObject({ type: 'paused', data: { waitingFor: ['review:review'] } });
    expect(types).not.toContain('run_resumed');
    expect(suite.api.counts(`${prefix}/before`)).toBe(1);
    expect(suite.api.counts(`${prefix}/after`)).toBe(0);
    return runId;
  }

  it('pauses, refuses an invalid decision, resumes from an edit without re-running earlier nodes', async () => {
    const prefix = '/edit';
    // The node after the review answers slowly, so a second decision arrives while the run is live.
    suite.api.behave(`${prefix}/after`, { delayMs: 600 });
    const runId = await startPaused(prefix, 'first draft');

    const invalid = await errorOf(suite.engine.signal(runId, 'review:review', { decision: 'maybe' }));
    expect(invalid.code).toBe('BAD_REQUEST');
    expect(invalid.cause).toBeInstanceOf(DomainError);
    expect((invalid.cause as DomainError).field).toBe('payload');
    expect(invalid.message).toMatch(/^payload: decision: /);
    // Refused before reaching the engine: the run still waits.
    expect((await suite.engine.waitFor(runId, ['paused'])).status).toBe('paused');

    await suite.engine.signal(runId, 'review:review', {
      decision: 'edit',
      data: { text: 'edited draft' },
      comment: 'tightened',
      reviewer: 'owner',
    });
    await suite.api.reached(`${prefix}/after`);
    const second = await errorOf(suite.engine.signal(runId, 'review:review', { decision: 'reject' }));
    expect(second.code).toBe('CONFLICT');
    expect(second.message).toMatch(/^Already decided by .* \(edit\)$/);

    const run = await suite.engine.waitFor(runId);
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({ result: 'edited draft', decision: 'edit', comment: 'tightened' });
    expect(suite.api.counts(`${prefix}/before`)).toBe(1);
    expect(suite.api.counts(`${prefix}/after`)).toBe(1);

    const events = await suite.engine.events(runId);
    const types = events.map((e) => e.type);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(types.indexOf('paused')).toBeLessThan(types.indexOf('run_resumed'));
    expect(types.filter((t) => t === 'review_requested')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'run_finished', data: { status: 'succeeded' } });

    const steps = await suite.engine.steps(runId);
    // One attempt of the node before the review, and one decision recorded for the review.
    expect(steps.filter((s) => s.nodeId === 'before').map((s) => [s.stepKey, s.status])).toEqual([
      ['before#1', 'succeeded'],
    ]);
    const decisions = steps.filter((s) => s.stepKey === 'review');
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({
      status: 'succeeded',
      // The reviewer is the signed-in member who decided, whatever the payload claims.
      output: {
        decision: 'edit',
        data: { text: 'edited draft' },
        comment: 'tightened',
        reviewer: `conformance-${name}`,
      },
    });

    // Once the run has finished, a decision is refused as well.
    const late = await errorOf(suite.engine.signal(runId, 'review:review', { decision: 'approve' }));
    expect(late.code).toBe('CONFLICT');
    expect(late.message).toMatch(/^Already decided by /);
  });

  it('follows the rejected branch on a reject', async () => {
    const prefix = '/reject';
    const runId = await startPaused(prefix, 'draft');
    await suite.engine.signal(runId, 'review:review', { decision: 'reject', comment: 'too long' });
    const run = await suite.engine.waitFor(runId);
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({ result: 'rejected: too long', decision: 'reject', comment: 'too long' });
    expect(suite.api.counts(`${prefix}/before`)).toBe(1);
    expect(suite.api.counts(`${prefix}/after`)).toBe(0);

    const events = await suite.engine.events(runId);
    expect(events.map((e) => e.type)).toContain('run_resumed');
    const steps = await suite.engine.steps(runId);
    expect(steps.filter((s) => s.nodeId === 'rejected').map((s) => s.status)).toEqual(['succeeded']);
    expect(steps.filter((s) => s.nodeId === 'after' && s.status === 'succeeded')).toEqual([]);
    expect(steps.find((s) => s.stepKey === 'review')).toMatchObject({
      status: 'succeeded',
      output: { decision: 'reject', data: { text: 'draft' }, comment: 'too long' },
    });

    const again = await errorOf(suite.engine.signal(runId, 'review:review', { decision: 'approve' }));
    expect(again.code).toBe('CONFLICT');
  });
});
