// The reviewer inbox on both engines: a pause opens a review task with what the reviewer sees; a
// member with the reviewer role edits a field and approves and the run resumes with the edited
// value, audited; of two simultaneous decisions exactly one takes effect; a passed deadline runs
// the timeout branch and the review shows as expired; custom actions follow their own handle;
// viewers, unassigned reviewers and other workspaces can neither decide nor (for the latter) see.
import { beforeAll, describe, expect, it } from 'vitest';
import { conformanceEngines, engineSuite } from '../support/conformance-engines';
import { workflow } from '../support/engine-harness';
import { type Caller, errorOf, signUpUser } from '../support/trpc-harness';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(conformanceEngines())('reviewer inbox on $name', ({ name }) => {
  const suite = engineSuite(name);
  const members: Record<'reviewer' | 'second' | 'viewer' | 'outsider', { caller: Caller; id: string }> =
    {} as never;
  let ws: { workspaceId: string };

  beforeAll(async () => {
    const { engine } = suite;
    ws = { workspaceId: engine.workspaceId };
    const join = async (label: string, role: 'reviewer' | 'viewer') => {
      const { token } = await engine.caller.workspace.invite({ ...ws, role });
      const member = await signUpUser(engine.database.db, `${name}-${label}`, token);
      return { caller: member.caller, id: member.user.id };
    };
    members.reviewer = await join('reviewer', 'reviewer');
    members.second = await join('second', 'reviewer');
    members.viewer = await join('viewer', 'viewer');
    const outsider = await signUpUser(engine.database.db, `${name}-outsider`);
    members.outsider = { caller: outsider.caller, id: outsider.user.id };
  });

  /** draft → review (fields, an escalate action, optional deadline / assignees) → one end per outcome. */
  const reviewFlow = (review: Record<string, unknown> = {}) =>
    workflow(
      [
        { id: 'start', type: 'start', config: { inputs: [{ name: 'topic', type: 'string' }] } },
        { id: 'draft', type: 'template', config: { template: 'About {{start.topic}}' } },
        {
          id: 'review',
          type: 'human-review',
          config: {
            title: 'Check {{start.topic}}',
            instructions: 'Is the **{{start.topic}}** draft right?',
            context: [{ label: 'Topic', value: '{{start.topic}}' }],
            fields: [
              { name: 'headline', label: 'Headline', type: 'text', value: '{{draft.text}}', required: true },
              { name: 'priority', label: 'Priority', type: 'select', options: ['low', 'high'], value: 'low' },
            ],
            actions: [{ id: 'escalate', label: 'Escalate' }],
            ...review,
          },
        },
        {
          id: 'ok',
          type: 'template',
          config: { template: '{{review.fields.headline}} ({{review.fields.priority}})' },
        },
        { id: 'no', type: 'template', config: { template: 'rejected' } },
        { id: 'up', type: 'template', config: { template: 'escalated' } },
        ...(review.deadlineMs
          ? [{ id: 'late', type: 'template', config: { template: 'nobody answered' } }]
          : []),
        {
          id: 'pick',
          type: 'join',
          config: {
            mode: 'first',
            values: {
              ok: '{{ok.text}}',
              no: '{{no.text}}',
              up: '{{up.text}}',
              ...(review.deadlineMs ? { late: '{{late.text}}' } : {}),
            },
          },
        },
        {
          id: 'end',
          type: 'end',
          config: { outputs: { result: '{{pick.value}}', by: '{{review.reviewer}}' } },
        },
      ],
      [
        ['start', 'draft'],
        ['draft', 'review'],
        ['review', 'ok', 'approved'],
        ['review', 'no', 'rejected'],
        ['review', 'up', 'escalate'],
        ...(review.deadlineMs ? [['review', 'late', 'timeout'] as [string, string, string]] : []),
        ['ok', 'pick'],
        ['no', 'pick'],
        ['up', 'pick'],
        ...(review.deadlineMs ? [['late', 'pick'] as [string, string]] : []),
        ['pick', 'end'],
      ],
    );

  /** Starts a run and waits until its review task is in the inbox. */
  async function startAndFindReview(review: Record<string, unknown> = {}, topic = 'owls') {
    const runId = await suite.engine.start(reviewFlow(review), { topic });
    const deadline = Date.now() + 15_000;
    for (;;) {
      const { reviews } = await suite.engine.caller.reviews.list({ ...ws });
      const found = reviews.find((r) => r.runId === runId);
      if (found) return { runId, reviewId: found.id };
      if (Date.now() > deadline) throw new Error(`no review for run ${runId}`);
      await sleep(50);
    }
  }

  it('opens a task, and a reviewer edits a field and approves; the run resumes with the edit, audited', async () => {
    const { runId, reviewId } = await startAndFindReview();
    const review = await members.reviewer.caller.reviews.get({ ...ws, reviewId });
    expect(review).toMatchObject({
      title: 'Check owls',
      instructions: 'Is the **owls** draft right?',
      context: [{ label: 'Topic', value: 'owls' }],
      state: 'pending',
      canDecide: true,
      assignedTo: 'any reviewer',
    });
    expect(review.fields.map((f) => [f.name, f.value])).toEqual([
      ['headline', 'About owls'],
      ['priority', 'low'],
    ]);
    expect(review.actions.map((a) => a.id)).toEqual(['approve', 'reject', 'escalate']);
    expect((await members.reviewer.caller.reviews.pendingCount({ ...ws })).count).toBeGreaterThanOrEqual(1);

    // A bad value names its field and decides nothing.
    const bad = await errorOf(
      members.reviewer.caller.reviews.decide({
        ...ws,
        reviewId,
        action: 'approve',
        fields: { priority: 'urgent' },
      }),
    );
    expect(bad.code).toBe('BAD_REQUEST');
    expect(bad.message).toMatch(/^fields\.priority: must be one of: low, high/);

    await members.reviewer.caller.reviews.decide({
      ...ws,
      reviewId,
      action: 'approve',
      fields: { headline: 'Owls at night', priority: 'high' },
      comment: 'sharper',
    });
    const run = await suite.engine.waitFor(runId);
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({ result: 'Owls at night (high)', by: `${name}-reviewer` });

    // The builder (owner) sees the audit entry.
    const audited = await suite.engine.caller.reviews.get({ ...ws, reviewId });
    expect(audited.state).toBe('decided');
    expect(audited.audit).toMatchObject({
      decidedByName: `${name}-reviewer`,
      decision: 'approve',
      comment: 'sharper',
      before: { fields: { headline: 'About owls', priority: 'low' } },
      after: { fields: { headline: 'Owls at night', priority: 'high' } },
    });
    expect(await suite.engine.caller.reviews.ofRun({ ...ws, runId })).toMatchObject([
      { id: reviewId, state: 'decided', decision: 'approve' },
    ]);
    const history = await suite.engine.caller.reviews.history({ ...ws, outcome: 'decided' });
    expect(history.reviews.map((r) => r.id)).toContain(reviewId);
    const { csv } = await suite.engine.caller.reviews.exportCsv({ ...ws });
    expect(csv.split('\r\n')[0]).toMatch(/^review_id,title,app,run_id,outcome,decision,decided_by/);
    expect(csv).toContain(`${reviewId},Check owls,`);
  });

  it('lets exactly one of two simultaneous decisions take effect', async () => {
    const { runId, reviewId } = await startAndFindReview({}, 'race');
    const results = await Promise.allSettled([
      members.reviewer.caller.reviews.decide({ ...ws, reviewId, action: 'approve' }),
      members.second.caller.reviews.decide({ ...ws, reviewId, action: 'reject' }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.reason).toMatchObject({ code: 'CONFLICT' });
    expect(String(lost[0]?.reason.message)).toMatch(/^Already decided by /);
    const run = await suite.engine.waitFor(runId);
    const audit = (await suite.engine.caller.reviews.get({ ...ws, reviewId })).audit;
    // The run followed the decision the review recorded, and only that one.
    expect(run.outputs).toMatchObject({
      result: audit?.decision === 'approve' ? 'About race (low)' : 'rejected',
    });
    const signals = (await suite.engine.events(runId)).filter((e) => e.type === 'run_resumed');
    expect(signals.length).toBeLessThanOrEqual(1);
  });

  it('runs the timeout branch when the deadline passes and shows the review as expired', async () => {
    const { runId, reviewId } = await startAndFindReview({ deadlineMs: 1_000 }, 'slow');
    const run = await suite.engine.waitFor(runId, undefined, 20_000);
    expect(run.outputs).toMatchObject({ result: 'nobody answered' });
    const review = await suite.engine.caller.reviews.get({ ...ws, reviewId });
    expect(review.state).toBe('expired');
    expect(review.canDecide).toBe(false);
    const late = await errorOf(
      members.reviewer.caller.reviews.decide({ ...ws, reviewId, action: 'approve' }),
    );
    expect(late.code).toBe('CONFLICT');
    expect(late.message).toMatch(/^This review expired at /);
    const history = await suite.engine.caller.reviews.history({ ...ws, outcome: 'expired' });
    expect(history.reviews.map((r) => r.id)).toContain(reviewId);
  });

  it('follows a custom action, and holds viewers, unassigned reviewers and other workspaces off', async () => {
    const { runId, reviewId } = await startAndFindReview(
      { assignees: { mode: 'members', userIds: [members.second.id] } },
      'secret',
    );
    const viewerTry = await errorOf(
      members.viewer.caller.reviews.decide({ ...ws, reviewId, action: 'approve' }),
    );
    expect(viewerTry.code).toBe('FORBIDDEN');
    const unassigned = await errorOf(
      members.reviewer.caller.reviews.decide({ ...ws, reviewId, action: 'approve' }),
    );
    expect(unassigned.code).toBe('FORBIDDEN');
    expect((await members.reviewer.caller.reviews.get({ ...ws, reviewId })).canDecide).toBe(false);
    const mine = await members.second.caller.reviews.list({ ...ws, assignedToMe: true });
    expect(mine.reviews.map((r) => r.id)).toContain(reviewId);
    const notMine = await members.reviewer.caller.reviews.list({ ...ws, assignedToMe: true });
    expect(notMine.reviews.map((r) => r.id)).not.toContain(reviewId);

    // Another workspace: the review does not exist there, whoever asks.
    const outsiderWs = { workspaceId: (await members.outsider.caller.workspace.list({}))[0]?.id ?? '' };
    expect((await errorOf(members.outsider.caller.reviews.get({ ...ws, reviewId }))).code).toBe('NOT_FOUND');
    expect((await errorOf(members.outsider.caller.reviews.get({ ...outsiderWs, reviewId }))).code).toBe(
      'NOT_FOUND',
    );
    expect(
      (await errorOf(members.outsider.caller.reviews.decide({ ...outsiderWs, reviewId, action: 'approve' })))
        .code,
    ).toBe('NOT_FOUND');
    expect((await members.outsider.caller.reviews.list({ ...outsiderWs })).reviews).toEqual([]);

    await members.second.caller.reviews.decide({ ...ws, reviewId, action: 'escalate' });
    const run = await suite.engine.waitFor(runId);
    expect(run.outputs).toMatchObject({ result: 'escalated' });
  });
});
