// Review deadlines: when nobody decides before deadlineMs the run takes the review's timeout branch
// (decision 'timeout', the reviewed data passed on) and a late decision is refused; a decision in
// time wins over the deadline, which then has no effect.
import { describe, expect, it } from 'vitest';
import { conformanceEngines, engineSuite } from '../support/conformance-engines';
import { workflow } from '../support/engine-harness';
import { errorOf } from '../support/trpc-harness';

// The shortest deadline the human-review node accepts.
const DEADLINE_MS = 1_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(conformanceEngines())('review deadline on $name', ({ name }) => {
  const suite = engineSuite(name);

  const reviewFlow = (prefix: string, deadlineMs: number) =>
    workflow(
      [
        { id: 'start', type: 'start', config: { inputs: [{ name: 'draft', type: 'string' }] } },
        { id: 'before', type: 'http', config: { url: `${suite.api.url}${prefix}/before` } },
        {
          id: 'review',
          type: 'human-review',
          config: { instructions: 'Check the draft', data: { text: '{{start.draft}}' }, deadlineMs },
        },
        { id: 'after', type: 'http', config: { url: `${suite.api.url}${prefix}/after` } },
        { id: 'rejected', type: 'template', config: { template: 'rejected: {{review.comment}}' } },
        { id: 'late', type: 'template', config: { template: 'nobody answered' } },
        {
          id: 'pick',
          type: 'join',
          config: {
            mode: 'first',
            values: { late: '{{late.text}}', no: '{{rejected.text}}', ok: '{{review.data.text}}' },
          },
        },
        {
          id: 'end',
          type: 'end',
          config: { outputs: { result: '{{pick.value}}', decision: '{{review.decision}}' } },
        },
      ],
      [
        ['start', 'before'],
        ['before', 'review'],
        ['review', 'after', 'approved'],
        ['review', 'rejected', 'rejected'],
        ['review', 'late', 'timeout'],
        ['after', 'pick'],
        ['rejected', 'pick'],
        ['late', 'pick'],
        ['pick', 'end'],
      ],
    );

  it('takes the timeout branch when nobody decides, and refuses a decision afterwards', async () => {
    const prefix = '/timeout';
    const runId = await suite.engine.start(reviewFlow(prefix, DEADLINE_MS), { draft: 'x' });
    const run = await suite.engine.waitFor(runId, undefined, 20_000);
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({ result: 'nobody answered', decision: 'timeout' });
    expect(suite.api.counts(`${prefix}/before`)).toBe(1);
    expect(suite.api.counts(`${prefix}/after`)).toBe(0);

    const events = await suite.engine.events(runId);
    const types = events.map((e) => e.type);
    expect(types).toContain('review_requested');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)).toMatchObject({ type: 'run_finished', data: { status: 'succeeded' } });
    // The deadline was honoured: the review lasted at least deadlineMs.
    const requested = events.find((e) => e.type === 'review_requested');
    const finished = events.at(-1);
    expect(requested && finished).toBeTruthy();
    expect(
      new Date(finished?.createdAt ?? 0).getTime() - new Date(requested?.createdAt ?? 0).getTime(),
    ).toBeGreaterThanOrEqual(DEADLINE_MS - 50);

    const steps = await suite.engine.steps(runId);
    expect(steps.find((s) => s.stepKey === 'review')).toMatchObject({
      status: 'succeeded',
      output: { decision: 'timeout', data: { text: 'x' } },
    });
    expect(steps.filter((s) => s.nodeId === 'late').map((s) => s.status)).toEqual(['succeeded']);
    expect(steps.filter((s) => s.nodeId === 'after' && s.status === 'succeeded')).toEqual([]);

    const late = await errorOf(suite.engine.signal(runId, 'review:review', { decision: 'approve' }));
    expect(late.code).toBe('CONFLICT');
    expect(late.message).toMatch(/^This review expired at /);
  });

  it('lets a decision made in time win over the deadline', async () => {
    const prefix = '/in-time';
    const deadlineMs = 1_500;
    const runId = await suite.engine.start(reviewFlow(prefix, deadlineMs), { draft: 'y' });
    // Waiting in memory or paused, the review has been requested: decide now.
    const deadline = Date.now() + 10_000;
    while (!(await suite.engine.events(runId)).some((e) => e.type === 'review_requested')) {
      if (Date.now() > deadline) throw new Error('the review was never requested');
      await sleep(25);
    }
    await suite.engine.signal(runId, 'review:review', { decision: 'approve' });
    const run = await suite.engine.waitFor(runId);
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({ result: 'y', decision: 'approve' });
    expect(suite.api.counts(`${prefix}/after`)).toBe(1);

    // The deadline passing later changes nothing.
    await sleep(deadlineMs + 300);
    const after = await suite.engine.waitFor(runId);
    expect(after.outputs).toEqual({ result: 'y', decision: 'approve' });
    const steps = await suite.engine.steps(runId);
    expect(steps.filter((s) => s.nodeId === 'late' && s.status === 'succeeded')).toEqual([]);
    const events = await suite.engine.events(runId);
    expect(events.filter((e) => e.type === 'run_finished')).toHaveLength(1);
    expect(events.at(-1)?.type).toBe('run_finished');
  });

  it('refuses a deadline below the minimum when the definition is saved', async () => {
    const error = await errorOf(suite.engine.start(reviewFlow('/too-short', 300), { draft: 'z' }));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toMatch(/deadlineMs/);
  });
});
