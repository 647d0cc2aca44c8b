// The builder's day in a real browser against `npm start`: an app from a template, a node added
// from the palette, connected and configured in its form, a validation problem seen and fixed, a
// test run against the mock model with nodes turning succeeded and a node's output opened, then
// publish, publish again and restore the older version. Canvas screenshots go to test-results/.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium';
import { type ChatCompletionRequest, type MockOpenAI, startMockOpenAI } from '../support/mock-openai';
import { startWeft, type WeftServer } from '../support/weft-server';

const screenshots = path.join(process.cwd(), 'test-results');

function lastUserText(req: ChatCompletionRequest): string {
  const user = [...req.messages].reverse().find((m) => m.role === 'user');
  return typeof user?.content === 'string' ? user.content : '';
}

/** Drags a connection from one node's source handle to another node's target handle. */
async function connect(page: Page, source: Locator, target: Locator) {
  const from = await source.boundingBox();
  const to = await target.boundingBox();
  if (!from || !to) throw new Error('handle not visible');
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 12 });
  await page.mouse.up();
}

describe('building in the studio', () => {
  let server: WeftServer;
  let model: MockOpenAI;
  let browser: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    model = await startMockOpenAI({
      apiKey: 'sk-e2e',
      reply: (req) => {
        if (JSON.stringify(req.response_format ?? {}).includes('winner'))
          return JSON.stringify({ winner: 'A', reasoning: 'A is clearer' });
        return `Answer from ${req.model} to "${lastUserText(req)}"`;
      },
    });
    server = await startWeft({ WEFT_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'weft-e2e-')) });
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(`${server.url}/sign-up`);
    await page.getByLabel('Name').fill('Grace Builder');
    await page.getByLabel('Email').fill(`grace.${Date.now()}@example.test`);
    await page.getByLabel('Password').fill('Correct-Horse-42');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(/\/studio\/[0-9a-f-]{36}$/);
    // The workspace's model provider (the mock), with a default model for nodes that name none.
    const workspaceId = new URL(page.url()).pathname.split('/')[2];
    const created = await page.request.post(`${server.url}/api/trpc/providers.create`, {
      headers: { 'content-type': 'application/json', origin: server.url },
      data: {
        json: {
          workspaceId,
          name: 'Mock AI',
          baseUrl: model.url,
          apiKey: 'sk-e2e',
          defaultModel: 'mock-judge',
          isDefault: true,
        },
      },
    });
    expect(created.status()).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await model?.close();
  });

  it('creates from a template, edits, test-runs, publishes and restores', async () => {
    await page.getByRole('button', { name: 'Use template: A/B model comparison' }).click();
    await page.waitForURL(/\/apps\/[0-9a-f-]{36}\/build$/);
    const node = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
    await node('judge').waitFor();
    const problems = page.getByTestId('problem-count');
    await problems.filter({ hasText: 'No problems' }).waitFor();
    await page.screenshot({ path: path.join(screenshots, 'canvas-template.png') });

    // A node from the palette: unconnected, so the draft has a problem.
    await page.getByRole('button', { name: 'Add Template node' }).click();
    await node('template').waitFor();
    await problems.filter({ hasText: /problem/ }).waitFor();

    // Connected after the judge, configured with a reference that does not exist: still a problem.
    await connect(
      page,
      node('judge').locator('.react-flow__handle.source').first(),
      node('template').locator('.react-flow__handle.target').first(),
    );
    await node('template').click();
    const side = page.getByRole('complementary', { name: 'Node and test run' });
    const templateField = side.getByRole('textbox', { name: /^Template/ }).first();
    await templateField.fill('Winner: {{nowhere.json.winner}}');
    await page.locator('.problem-list').filter({ hasText: 'nowhere' }).waitFor();
    await page.screenshot({ path: path.join(screenshots, 'canvas-problem.png') });

    // Fixed: the problems are gone and the draft is saved.
    await templateField.fill('Winner: {{judge.json.winner}}');
    await problems.filter({ hasText: 'No problems' }).waitFor();
    await page.getByTestId('save-state').filter({ hasText: 'Saved' }).waitFor();

    // Test run against the mock model: nodes turn succeeded; a node's output opens.
    await side.getByLabel(/^prompt/).fill('Name a colour');
    await side.getByLabel(/^modelA/).fill('mock-a');
    await side.getByLabel(/^modelB/).fill('mock-b');
    await side.getByRole('button', { name: 'Run draft' }).click();
    await page
      .getByTestId('run-status')
      .filter({ hasText: 'succeeded' })
      .waitFor({ timeout: 30_000 })
      .catch(async (error) => {
        await page.screenshot({ path: path.join(screenshots, 'test-run-failed.png'), fullPage: true });
        throw new Error(`${error}\n${await side.textContent()}`);
      });
    for (const id of ['answerA', 'answerB', 'judge', 'template'])
      await node(id).locator('.wf-badge-succeeded').waitFor();
    await page.screenshot({ path: path.join(screenshots, 'canvas-test-run.png') });
    await side
      .getByRole('button', { name: /Template/ })
      .filter({ hasText: 'succeeded' })
      .click();
    await expect.poll(() => page.getByTestId('node-output').textContent()).toContain('Winner: A');

    // Publish v1, change the draft, publish v2.
    const publish = async (note: string) => {
      await page.getByRole('button', { name: 'Publish…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Publish the draft' });
      await dialog.getByLabel('Version note (optional)').fill(note);
      await dialog.getByRole('button', { name: 'Publish', exact: true }).click();
      await dialog.getByRole('status').waitFor();
      const text = await dialog.getByRole('status').textContent();
      await dialog.getByRole('button', { name: 'Done' }).click();
      return text;
    };
    expect(await publish('first cut')).toContain('version 1');
    await node('template').click();
    await templateField.fill('The winner is {{judge.json.winner}}');
    await page.getByTestId('save-state').filter({ hasText: 'Saved' }).waitFor();
    await problems.filter({ hasText: 'No problems' }).waitFor();
    expect(await publish('second cut')).toContain('version 2');

    // Restore v1 from the Publish tab; the Build tab shows v1's text again.
    await page.getByRole('link', { name: 'Publish', exact: true }).click();
    const v1 = page.getByRole('row').filter({ hasText: 'first cut' });
    await v1.getByText(/changed|added|removed|no changes/).waitFor();
    await v1.getByRole('button', { name: 'Restore to draft' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Restore' }).click();
    await page.getByText('Restored v1 to the draft').waitFor();
    await page.getByRole('link', { name: 'Build', exact: true }).click();
    await node('template').click();
    await expect.poll(() => templateField.inputValue()).toBe('Winner: {{judge.json.winner}}');
    await page.screenshot({ path: path.join(screenshots, 'canvas-restored.png') });
  });
});
