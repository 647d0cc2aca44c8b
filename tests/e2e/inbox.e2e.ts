// The reviewer inbox in a real browser against `npm start`: a builder publishes start → template →
// human review → end and invites a reviewer; a run pauses; the reviewer (another browser profile)
// sees the badge and a notification, opens /inbox, edits the headline field and approves; the run
// resumes with the edit and the builder sees the audit on the run page. With the same review open
// in two browsers, a decision in one shows in the other without a reload, and a decision that lost
// the race says who won. The inbox list, history and review pages pass axe. Screenshots go to
// test-results/.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium';
import { edge, pageTrpc, pos, publishApp, signUpInBrowser } from '../support/published-app';
import { startWeft, type WeftServer } from '../support/weft-server';

const AXE = path.join(process.cwd(), 'node_modules', 'axe-core', 'axe.min.js');
const screenshots = path.join(process.cwd(), 'test-results');
const stamp = Date.now();

/** start {topic} → draft → review (a headline field) → approved: ok | rejected: no → pick → end. */
const reviewed = {
  schemaVersion: 1,
  nodes: [
    {
      id: 'start',
      type: 'start',
      title: 'Start',
      config: { inputs: [{ name: 'topic', type: 'string', required: true }] },
      position: pos,
    },
    {
      id: 'draft',
      type: 'template',
      title: 'Draft',
      config: { template: 'Draft about {{start.topic}}' },
      position: pos,
    },
    {
      id: 'review',
      type: 'human-review',
      title: 'Headline check',
      config: {
        title: 'Check the {{start.topic}} headline',
        instructions:
          'Make the headline about **{{start.topic}}** catchy.\n\n- keep it short\n- no clickbait',
        context: [{ label: 'Topic', value: '{{start.topic}}' }],
        fields: [
          { name: 'headline', label: 'Headline', type: 'text', value: '{{draft.text}}', required: true },
        ],
      },
      position: pos,
    },
    {
      id: 'ok',
      type: 'template',
      title: 'Approved',
      config: { template: '{{review.fields.headline}}' },
      position: pos,
    },
    { id: 'no', type: 'template', title: 'Rejected', config: { template: 'rejected' }, position: pos },
    {
      id: 'pick',
      type: 'join',
      title: 'Pick',
      config: { mode: 'first', values: { ok: '{{ok.text}}', no: '{{no.text}}' } },
      position: pos,
    },
    {
      id: 'end',
      type: 'end',
      title: 'End',
      config: { outputs: { headline: '{{pick.value}}', decision: '{{review.decision}}' } },
      position: pos,
    },
  ],
  edges: [
    edge('start', 'draft'),
    edge('draft', 'review'),
    edge('review', 'ok', 'approved'),
    edge('review', 'no', 'rejected'),
    edge('ok', 'pick'),
    edge('no', 'pick'),
    edge('pick', 'end'),
  ],
};

type AxeViolation = { id: string; impact: string; help: string; nodes: { target: string[] }[] };

/** Serious and critical axe-core violations on the page as it is now. */
async function seriousViolations(page: Page) {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run()).violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
}

describe('reviewer inbox', () => {
  let server: WeftServer;
  let builderBrowser: BrowserContext;
  let reviewerBrowser: BrowserContext;
  let builder: Page;
  let reviewer: Page;
  let workspaceId = '';
  let appId = '';

  const builderTrpc = pageTrpc(
    () => builder,
    () => server.url,
  );

  /** Starts a run as the builder and waits for its review to open; returns both ids. */
  async function startReviewedRun(topic: string) {
    const { runId } = (await builderTrpc('runs.start', { workspaceId, appId, inputs: { topic } })) as {
      runId: string;
    };
    let reviewId = '';
    await expect
      .poll(
        async () => {
          const { reviews } = (await builderTrpc('reviews.list', { workspaceId })) as {
            reviews: { id: string; runId: string }[];
          };
          reviewId = reviews.find((r) => r.runId === runId)?.id ?? '';
          return reviewId;
        },
        { timeout: 20_000, interval: 250 },
      )
      .not.toBe('');
    return { runId, reviewId };
  }

  async function finishedRun(runId: string) {
    let run: { status: string; outputs: Record<string, unknown> | null } = { status: '', outputs: null };
    await expect
      .poll(
        async () => {
          run = (await builderTrpc('runs.get', { workspaceId, runId })) as typeof run;
          return run.status;
        },
        { timeout: 20_000, interval: 250 },
      )
      .toBe('succeeded');
    return run;
  }

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    server = await startWeft({ WEFT_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'weft-e2e-inbox-')) });
    builderBrowser = await launchChromium();
    builder = await builderBrowser.newPage();
    workspaceId = await signUpInBrowser(builder, server.url, {
      email: `builder.${stamp}@example.test`,
      name: 'Bea Builder',
    });
    const caller = { call: builderTrpc, query: builderTrpc };
    ({ appId } = await publishApp(caller, workspaceId, {
      name: 'Headlines',
      kind: 'workflow',
      definition: reviewed,
    }));

    // The reviewer joins through an invitation link, in a browser profile of their own.
    const { token } = (await builderTrpc('workspace.invite', { workspaceId, role: 'reviewer' })) as {
      token: string;
    };
    reviewerBrowser = await launchChromium();
    reviewer = await reviewerBrowser.newPage();
    await reviewer.goto(`${server.url}/sign-up?invite=${encodeURIComponent(token)}`);
    await reviewer.getByLabel('Name').fill('Rita Reviewer');
    await reviewer.getByLabel('Email').fill(`reviewer.${stamp}@example.test`);
    await reviewer.getByLabel('Password').fill('Correct-Horse-42');
    await reviewer.getByRole('button', { name: 'Create account' }).click();
    await reviewer.waitForURL(new RegExp(`/studio/${workspaceId}$`));
  });
  afterAll(async () => {
    await reviewerBrowser?.close();
    await builderBrowser?.close();
    await server?.stop();
  });

  it('lets an invited reviewer edit a field and approve; the run resumes with the edit, audited', async () => {
    // /inbox sends a signed-out visitor to sign in (and back); a signed-in one to their inbox.
    const signedOut = await fetch(`${server.url}/inbox`, { redirect: 'manual' });
    expect(signedOut.status).toBeGreaterThanOrEqual(300);
    expect(signedOut.headers.get('location')).toMatch(/\/sign-in\?next=%2Finbox$/);
    // Nothing waits yet: the inbox says so.
    await reviewer.goto(`${server.url}/inbox`);
    await reviewer.waitForURL(`${server.url}/studio/${workspaceId}/inbox`);
    await reviewer.getByRole('heading', { name: 'Nothing waits for a review' }).waitFor();

    const { runId, reviewId } = await startReviewedRun('owls');

    // The badge counts it within a few seconds (it is re-read every 5 s), and a notification says so.
    await reviewer.getByRole('link', { name: 'Inbox, 1 waiting' }).waitFor({ timeout: 15_000 });
    const bell = reviewer.getByRole('button', { name: /^Notifications, \d+ unread$/ });
    await bell.waitFor({ timeout: 15_000 });
    await bell.click();
    await reviewer.getByRole('link', { name: /Review needed: Check the owls headline/ }).waitFor();
    await reviewer.keyboard.press('Escape');
    expect(await bell.evaluate((b) => b === document.activeElement)).toBe(true);

    // The list (the row shows up by polling, without a reload).
    const row = reviewer.getByTestId('inbox-row').filter({ hasText: 'Check the owls headline' });
    await row.waitFor({ timeout: 15_000 });
    expect(await row.textContent()).toContain('Headlines');
    expect(await row.textContent()).toContain('Yours to decide');
    await reviewer.screenshot({ path: path.join(screenshots, 'inbox-list.png'), fullPage: true });
    expect(await seriousViolations(reviewer)).toEqual([]);

    // The review: instructions as markdown, context, the run link, the field to edit.
    await row.getByRole('link', { name: 'Check the owls headline' }).click();
    await reviewer.waitForURL(`${server.url}/studio/${workspaceId}/inbox/${reviewId}`);
    await reviewer.getByRole('heading', { name: 'Check the owls headline', level: 1 }).waitFor();
    await reviewer.locator('.inbox-markdown strong', { hasText: 'owls' }).waitFor();
    expect(await reviewer.locator('.inbox-markdown li').count()).toBe(2);
    expect(await reviewer.locator('.inbox-context').textContent()).toContain('owls');
    expect(await reviewer.getByRole('link', { name: /Open run/ }).getAttribute('href')).toBe(
      `/studio/${workspaceId}/apps/${appId}/runs/${runId}`,
    );
    const headline = reviewer.getByRole('textbox', { name: /^Headline/ });
    expect(await headline.inputValue()).toBe('Draft about owls');
    expect(await seriousViolations(reviewer)).toEqual([]);

    // A required field left empty names the field and sends nothing.
    await headline.fill('');
    await reviewer.getByRole('button', { name: 'Approve' }).click();
    await reviewer.getByRole('alert').filter({ hasText: 'Headline is required' }).waitFor();
    expect(await headline.evaluate((el) => el === document.activeElement)).toBe(true);

    await headline.fill('Owls, after dark');
    await reviewer.getByLabel('Comment (optional)').fill('Sharper.');
    await reviewer.screenshot({ path: path.join(screenshots, 'inbox-review.png'), fullPage: true });
    await reviewer.getByRole('button', { name: 'Approve' }).click();
    await reviewer.getByTestId('review-outcome').filter({ hasText: 'Decided by Rita Reviewer at' }).waitFor();
    expect(await reviewer.getByRole('button', { name: 'Approve' }).isDisabled()).toBe(true);
    await reviewer.screenshot({ path: path.join(screenshots, 'inbox-decided.png'), fullPage: true });

    // The run resumed with the edited value.
    const run = await finishedRun(runId);
    expect(run.outputs).toEqual({ headline: 'Owls, after dark', decision: 'approve' });

    // The badge is back to plain "Inbox"; the history lists the decision; the CSV downloads.
    await reviewer.getByRole('link', { name: 'Inbox', exact: true }).waitFor({ timeout: 15_000 });
    await reviewer.goto(`${server.url}/studio/${workspaceId}/inbox/history`);
    const past = reviewer.getByTestId('history-row').filter({ hasText: 'Check the owls headline' });
    await past.waitFor();
    expect(await past.textContent()).toContain('Rita Reviewer');
    expect(await past.textContent()).toContain('Sharper.');
    const [download] = await Promise.all([
      reviewer.waitForEvent('download'),
      reviewer.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^reviews-\d{4}-\d{2}-\d{2}\.csv$/);
    const csvPath = await download.path();
    const { readFileSync } = await import('node:fs');
    const csv = readFileSync(csvPath, 'utf8');
    expect(csv.split('\r\n')[0]).toMatch(/^review_id,title,app,run_id,outcome,decision,decided_by/);
    expect(csv).toContain(
      `${reviewId},Check the owls headline,Headlines,${runId},decided,approve,Rita Reviewer`,
    );
    expect(await seriousViolations(reviewer)).toEqual([]);

    // The builder sees the audit on the run page: who, the action, the comment, before → after.
    await builder.goto(`${server.url}/studio/${workspaceId}/apps/${appId}/runs/${runId}`);
    const audit = builder.getByRole('region', { name: 'Reviews' });
    const entry = audit.getByTestId('run-review');
    await entry.filter({ hasText: 'by Rita Reviewer' }).waitFor();
    expect(await entry.textContent()).toContain('Approved');
    expect(await entry.textContent()).toContain('Sharper.');
    const change = entry.getByRole('row').filter({ hasText: 'headline' });
    expect(await change.getByRole('cell').allTextContents()).toEqual([
      'Draft about owls',
      'Owls, after dark',
    ]);
    await audit.scrollIntoViewIfNeeded();
    await builder.screenshot({ path: path.join(screenshots, 'run-review-audit.png'), fullPage: true });
  });

  it('updates a review open in two browsers when one decides, and tells a late decision who won', async () => {
    const { runId, reviewId } = await startReviewedRun('bats');
    const url = `${server.url}/studio/${workspaceId}/inbox/${reviewId}`;
    await Promise.all([builder.goto(url), reviewer.goto(url)]);
    for (const page of [builder, reviewer])
      await page.getByRole('button', { name: 'Approve' }).and(page.locator(':enabled')).waitFor();

    // The builder rejects in their browser; the reviewer's view follows within a few seconds.
    await builder.getByLabel('Comment (optional)').fill('Off topic.');
    await builder.getByRole('button', { name: 'Reject' }).click();
    await builder.getByTestId('review-outcome').filter({ hasText: 'Decided by Bea Builder at' }).waitFor();
    const started = Date.now();
    await reviewer
      .getByTestId('review-outcome')
      .filter({ hasText: /Decided by Bea Builder at .*: Rejected/ })
      .waitFor({ timeout: 6_000 });
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(await reviewer.getByRole('button', { name: 'Approve' }).isDisabled()).toBe(true);
    expect(await reviewer.getByTestId('review-state').textContent()).toBe('Decided');
    await reviewer.screenshot({ path: path.join(screenshots, 'inbox-race.png'), fullPage: true });
    const run = await finishedRun(runId);
    expect(run.outputs).toMatchObject({ headline: 'rejected', decision: 'reject' });

    // A decision that loses the race (the view has not caught up yet) says who decided first.
    const late = await startReviewedRun('moths');
    await reviewer.goto(`${server.url}/studio/${workspaceId}/inbox/${late.reviewId}`);
    const approve = reviewer.getByRole('button', { name: 'Approve' });
    await approve.and(reviewer.locator(':enabled')).waitFor();
    // Hold the view's re-reads, so it still shows the review as waiting when the builder decides.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await reviewer.route(/\/api\/trpc\/[^?]*reviews\.get/, async (route) => {
      await held;
      await route.continue().catch(() => {});
    });
    await builderTrpc('reviews.decide', { workspaceId, reviewId: late.reviewId, action: 'approve' });
    await approve.click();
    await reviewer
      .getByTestId('review-conflict')
      .filter({ hasText: 'Already decided by Bea Builder' })
      .waitFor();
    release();
    await reviewer.unroute(/\/api\/trpc\/[^?]*reviews\.get/);
    await reviewer.getByTestId('review-outcome').filter({ hasText: 'Decided by Bea Builder at' }).waitFor();
    expect(await approve.isDisabled()).toBe(true);
    await finishedRun(late.runId);
  });
});
