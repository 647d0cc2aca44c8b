// Review notifications and external review links in the browser, against a real `npm start`
// server: an owner tests and saves the review webhook on the settings page (which passes axe), a
// run pauses at a review and the webhook hears about it, a reviewer issues a signed link, and an
// outsider with no account opens /review/<token>, edits a field and approves; the run resumes with
// the outsider recorded, and the link then says it no longer works.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium';
import { pos, publishApp, signUpOverHttp, type TrpcCaller } from '../support/published-app';
import { type SmtpCapture, startSmtpCapture } from '../support/smtp-capture';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';
import { startWeft, type WeftServer } from '../support/weft-server';

const AXE = path.join(process.cwd(), 'node_modules', 'axe-core', 'axe.min.js');

const link = (source: string, target: string, sourceHandle: string | null = null) => ({
  id: `${source}_${target}`,
  source,
  sourceHandle,
  target,
  targetHandle: null,
});

const reviewed = {
  schemaVersion: 1,
  nodes: [
    { id: 'start', type: 'start', title: 'Start', config: { inputs: [] }, position: pos },
    {
      id: 'review',
      type: 'human-review',
      title: 'Quote check',
      config: {
        title: 'Approve the quote',
        instructions: 'Check the **amount** against the contract.',
        context: [{ label: 'Customer', value: 'ACME' }],
        data: 'Quote for 12 owls',
        fields: [{ name: 'amount', label: 'Amount', type: 'number', value: 10, required: true }],
        allowExternal: true,
      },
      position: pos,
    },
    {
      id: 'end',
      type: 'end',
      title: 'End',
      config: {
        outputs: {
          decision: '{{review.decision}}',
          reviewer: '{{review.reviewer}}',
          amount: '{{review.fields.amount}}',
          comment: '{{review.comment}}',
        },
      },
      position: pos,
    },
  ],
  edges: [link('start', 'review'), link('review', 'end', 'approved')],
};

async function seriousViolations(page: Page, selector?: string) {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async (scope) => {
    const axe = (
      window as unknown as {
        axe: { run(context?: unknown): Promise<{ violations: { impact: string; id: string }[] }> };
      }
    ).axe;
    const context = scope ? document.querySelector(scope) : document;
    return (await axe.run(context ?? document)).violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id);
  }, selector ?? null);
}

describe('review notifications and external review links in the browser', () => {
  let server: WeftServer;
  let hook: WebhookReceiver;
  let smtp: SmtpCapture;
  let ownerEmail: string;
  let browser: BrowserContext;
  let page: Page;
  let client: TrpcCaller & { cookie: string };
  let workspaceId: string;
  let appId: string;

  beforeAll(async () => {
    hook = await startWebhookReceiver();
    smtp = await startSmtpCapture();
    server = await startWeft({
      WEFT_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'weft-e2e-review-link-')),
      WEFT_HTTP_ALLOWLIST: '127.0.0.1',
      SMTP_URL: smtp.url,
      SMTP_FROM: 'Weft <weft@example.test>',
    });
    ownerEmail = `links.${Date.now()}@example.test`;
    const signedUp = await signUpOverHttp(server.url, {
      email: ownerEmail,
      name: 'Rita Reviewer',
    });
    client = signedUp.client;
    workspaceId = signedUp.workspaceId;
    ({ appId } = await publishApp(client, workspaceId, {
      name: 'Quotes',
      kind: 'workflow',
      definition: reviewed,
    }));
    browser = await launchChromium();
    const [name, ...value] = client.cookie.split('=');
    await browser.addCookies([{ name: name ?? '', value: value.join('='), url: server.url }]);
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await hook?.close();
    await smtp?.close();
  });

  it('lets the owner test and save the review webhook on the settings page', async () => {
    await page.goto(`${server.url}/studio/${workspaceId}/settings`);
    const field = page.getByLabel('Webhook URL');
    await field.waitFor();
    await field.fill('ftp://example.com/hook');
    await page.getByRole('button', { name: 'Save webhook' }).click();
    await page.getByRole('alert').filter({ hasText: 'must be an http(s) URL' }).waitFor();
    expect(await field.getAttribute('aria-invalid')).toBe('true');

    await field.fill(hook.url);
    await page.getByRole('button', { name: 'Send test message' }).click();
    await page.getByText('Test message delivered.').waitFor();
    expect((hook.bodies.at(-1) as { text: string }).text).toMatch(/^Test message from Weft/);
    await page.getByRole('button', { name: 'Save webhook' }).click();
    await page.getByText('Webhook saved.').waitFor();
    await page.getByRole('button', { name: 'Remove webhook' }).waitFor();

    const section = page.getByRole('region', { name: 'Review notifications' });
    await section.waitFor();
    const id = await section.getAttribute('aria-labelledby');
    expect(await seriousViolations(page, `[aria-labelledby="${id}"]`)).toEqual([]);
  });

  it('lets an outsider approve through the link page; the run resumes and the link is spent', async () => {
    const before = hook.bodies.length;
    const { runId } = (await client.call('runs.start', { workspaceId, appId, inputs: {} })) as {
      runId: string;
    };
    let status = '';
    for (let i = 0; i < 200 && status !== 'paused'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = String((await client.query('runs.get', { workspaceId, runId })).status);
    }
    expect(status).toBe('paused');
    const { reviews } = (await client.query('reviews.list', { workspaceId })) as {
      reviews: { id: string }[];
    };
    const reviewId = reviews[0]?.id ?? '';

    // The webhook heard about it, with an absolute link to the inbox.
    const [message] = (await hook.received(before + 1)).slice(before) as { text: string }[];
    expect(message?.text).toMatch(
      new RegExp(
        `^Review needed: Approve the quote in Quotes — http://localhost:\\d+/studio/${workspaceId}/inbox/${reviewId}$`,
      ),
    );
    // So did the owner, by e-mail (SMTP_URL is set).
    const [mail] = await smtp.received(1);
    expect(mail?.to).toEqual([ownerEmail]);
    expect(mail?.subject).toBe('Review needed: Approve the quote');
    expect(mail?.raw.replace(/=\r?\n/g, '')).toContain(`/studio/${workspaceId}/inbox/${reviewId}`);

    const issued = (await client.call('reviewLinks.issue', {
      workspaceId,
      reviewId,
      name: 'Olga Outside',
      email: 'olga@example.com',
    })) as { url: string; emailed: boolean };
    expect(issued.url).toMatch(/^\/review\/rvl_/);
    expect(issued.emailed).toBe(true);
    const linkMail = (await smtp.received(2))[1];
    expect(linkMail?.to).toEqual(['olga@example.com']);

    // The outsider has no account: no session cookie.
    await browser.clearCookies();
    await page.goto(`${server.url}${issued.url}`);
    await page.getByRole('heading', { name: 'Approve the quote' }).waitFor();
    await page.getByText('ACME').waitFor();
    expect(await page.locator('a[href^="/studio"]').count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel('Amount (required)').fill('12');
    await page.getByLabel('Comment (optional)').fill('Matches the contract');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('heading', { name: 'Thank you, Olga Outside' }).waitFor();

    let run: { status?: unknown; outputs?: unknown } = {};
    for (let i = 0; i < 200 && run.status !== 'succeeded'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      run = await client.query('runs.get', { workspaceId, runId });
    }
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toEqual({
      decision: 'approve',
      reviewer: 'Olga Outside <olga@example.com> (external)',
      amount: 12,
      comment: 'Matches the contract',
    });

    await page.reload();
    await page.getByRole('heading', { name: 'This review link no longer works' }).waitFor();
    await page.getByText('already been decided').waitFor();
    const api = await fetch(`${server.url}/api/review-links/${issued.url.slice('/review/'.length)}`);
    expect(api.status).toBe(410);
    expect(await api.json()).toMatchObject({ code: 'link_gone', status: 410 });
    expect((await fetch(`${server.url}/review/rvl_forged.token`)).status).toBe(404);
  });
});
