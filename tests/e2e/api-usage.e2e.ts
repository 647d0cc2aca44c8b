// Usage stats of the published API on a real `npm start` server with a mock model: a chat app is
// called over /api/v1 with its key (a blocking answer, a streamed answer, a 400, and a bad key that
// is not counted); the rows reach the stats within a couple of seconds; in Chromium the Publish
// tab's tiles show the request and error counts, the SVG chart renders with an accessible name, the
// period switch works from the keyboard, and the section passes axe.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium';
import { type MockOpenAI, startMockOpenAI } from '../support/mock-openai';
import {
  addMockProvider,
  chatbotDefinition,
  createApiKey,
  pageTrpc,
  publishApp,
  signUpInBrowser,
} from '../support/published-app';
import { startWeft, type WeftServer } from '../support/weft-server';

const AXE = path.join(process.cwd(), 'node_modules', 'axe-core', 'axe.min.js');

describe('API usage on the Publish tab', () => {
  let server: WeftServer;
  let model: MockOpenAI;
  let browser: BrowserContext;
  let page: Page;
  let workspaceId = '';
  let appId = '';
  let token = '';

  const trpc = pageTrpc(
    () => page,
    () => server.url,
  );
  const chat = (body: unknown, key = token) =>
    fetch(`${server.url}/api/v1/chat-messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    model = await startMockOpenAI({ apiKey: 'sk-e2e', reply: () => 'Usage is counted.' });
    server = await startWeft({ WEFT_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'weft-e2e-usage-')) });
    browser = await launchChromium();
    page = await browser.newPage();
    workspaceId = await signUpInBrowser(page, server.url, {
      email: `usage.${Date.now()}@example.test`,
      name: 'Usage Tester',
    });
    const caller = { call: trpc, query: trpc };
    await addMockProvider(caller, workspaceId, model, 'mock-gpt');
    ({ appId } = await publishApp(caller, workspaceId, {
      name: 'Counted bot',
      kind: 'chat',
      definition: chatbotDefinition,
    }));
    ({ token } = await createApiKey(caller, workspaceId, appId, 'Usage key'));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await model?.close();
  });

  it('records authenticated requests, errors included, within a couple of seconds', async () => {
    const blocking = await chat({ query: 'Hi', inputs: {}, user: 'u1', response_mode: 'blocking' });
    expect(blocking.status).toBe(200);
    expect(((await blocking.json()) as { answer: string }).answer).toBe('Usage is counted.');
    const streamed = await chat({ query: 'Hi again', inputs: {}, user: 'u1', response_mode: 'streaming' });
    expect(streamed.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(await streamed.text()).toContain('message_end');
    const bad = await chat({ inputs: {}, user: 'u1', response_mode: 'blocking' });
    expect(bad.status).toBe(400);
    // Refused at authentication: belongs to no app, not counted.
    expect((await chat({ query: 'Hi', user: 'u1' }, 'app-not-a-key')).status).toBe(401);

    const range = { workspaceId, appId, range: '24h' };
    let totals: Record<string, number> = {};
    for (let i = 0; i < 40 && totals.requests !== 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      totals = (await trpc('apiUsage.stats', range)).totals as Record<string, number>;
    }
    expect(totals).toMatchObject({ requests: 3, errors: 1 });
    expect(totals.tokens).toBeGreaterThan(0);
    expect(totals.p95LatencyMs).toBeGreaterThan(0);
  });

  it('shows the tiles and the chart on the Publish tab, with no serious axe violation', async () => {
    await page.goto(`${server.url}/studio/${workspaceId}/apps/${appId}/publish`);
    const section = page.getByRole('region', { name: 'API usage' });
    const tile = (label: string) =>
      section.locator('.usage-tile', { has: page.getByText(label, { exact: true }) });
    await tile('Requests').locator('dd').first().filter({ hasText: '3' }).waitFor();
    expect(await tile('Errors').locator('dd').first().textContent()).toBe('1');
    expect(await tile('Tokens').locator('dd').first().textContent()).not.toBe('0');
    expect(await tile('p95 latency').locator('dd').first().textContent()).toMatch(/\d+ m?s$/);

    const chart = section.getByRole('img', { name: /Requests per hour and p95 latency, the last 24 hours/ });
    await chart.waitFor();
    // Three requests in the current hour: two successes and one error, stacked.
    expect(await section.locator('rect.usage-bar').count()).toBe(1);
    expect(await section.locator('rect.usage-bar-error').count()).toBe(1);
    expect(await section.getByRole('table').count()).toBe(1);

    // The period switch: a labelled radio group, moved with the arrow keys.
    const day = section.getByRole('radio', { name: '24 hours' });
    expect(await day.isChecked()).toBe(true);
    await day.focus();
    await page.keyboard.press('ArrowRight');
    expect(await section.getByRole('radio', { name: '7 days' }).isChecked()).toBe(true);
    await section.getByRole('img', { name: /Requests per day and p95 latency, the last 7 days/ }).waitFor();
    await tile('Requests').locator('dd').first().filter({ hasText: '3' }).waitFor();

    await page.addScriptTag({ path: AXE });
    const violations = await page.evaluate(async () => {
      const axe = (
        window as unknown as {
          axe: { run(): Promise<{ violations: { impact: string; id: string }[] }> };
        }
      ).axe;
      return (await axe.run()).violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    });
    expect(violations).toEqual([]);
  });

  it('shows the empty state for an app nobody has called', async () => {
    const { appId: quiet } = await publishApp({ call: trpc, query: trpc }, workspaceId, {
      name: 'Quiet bot',
      kind: 'chat',
      definition: chatbotDefinition,
    });
    await page.goto(`${server.url}/studio/${workspaceId}/apps/${quiet}/publish`);
    await page.getByRole('heading', { name: 'No API requests in this period yet' }).waitFor();
    expect(await page.getByRole('img', { name: /Requests per/ }).count()).toBe(0);
  });
});
