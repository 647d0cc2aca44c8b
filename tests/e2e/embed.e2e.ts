// The public web chat on a real `npm start` server with a mock model: a chat app is published and
// its web chat enabled with a second local HTTP server's origin allowed; in Chromium that second
// server's page includes the one-line embed snippet, the bubble opens the chat in an iframe and a
// message gets its streamed answer. The direct /chat/<token> page works too (with its conversation
// list); a disallowed Origin gets a 403 and no CORS allowance; a disabled web chat is a 404; the
// Publish tab's web chat section passes axe.
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium';
import { type MockOpenAI, startMockOpenAI } from '../support/mock-openai';
import { freePort } from '../support/postgres-server';
import {
  addMockProvider,
  chatbotDefinition as chatbot,
  pageTrpc,
  publishApp,
  signUpInBrowser,
} from '../support/published-app';
import { startWeft, type WeftServer } from '../support/weft-server';

const AXE = path.join(process.cwd(), 'node_modules', 'axe-core', 'axe.min.js');
const REPLY = 'Hello from the **embedded** bot';

describe('web chat page and embed script', () => {
  let server: WeftServer;
  let model: MockOpenAI;
  let site: Server;
  let siteOrigin = '';
  let browser: BrowserContext;
  let page: Page;
  let workspaceId = '';
  let appId = '';
  let token = '';

  const trpc = pageTrpc(
    () => page,
    () => server.url,
  );

  beforeAll(async () => {
    model = await startMockOpenAI({ apiKey: 'sk-e2e', reply: () => REPLY });
    server = await startWeft({ WEFT_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'weft-e2e-embed-')) });

    // The integrator's site, on another port: a page with the one-line snippet (filled in below).
    const port = await freePort();
    siteOrigin = `http://127.0.0.1:${port}`;
    site = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        `<!doctype html><html lang="en"><head><title>Shop</title></head><body><h1>Our shop</h1>` +
          `<script>window.weftChatConfig={token:'${token}',baseUrl:'${server.url}'}</script>` +
          `<script src="${server.url}/embed.js" async></script></body></html>`,
      );
    });
    await new Promise<void>((resolve) => site.listen(port, '127.0.0.1', resolve));

    browser = await launchChromium();
    page = await browser.newPage();
    workspaceId = await signUpInBrowser(page, server.url, {
      email: `embed.${Date.now()}@example.test`,
      name: 'Embed Tester',
    });
    const caller = { call: trpc, query: trpc };
    await addMockProvider(caller, workspaceId, model, 'mock-gpt');
    ({ appId } = await publishApp(caller, workspaceId, {
      name: 'Shop helper',
      kind: 'chat',
      definition: chatbot,
    }));
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => site?.close(resolve));
    await server?.stop();
    await model?.close();
  });

  it('enables the web chat on the Publish tab, with no serious axe violation', async () => {
    await page.goto(`${server.url}/studio/${workspaceId}/apps/${appId}/publish`);
    await page.getByLabel('Enable the web chat page and embed script').click();
    const link = page.getByLabel('Chat page link', { exact: true });
    await link.waitFor();
    token = (await link.inputValue()).split('/chat/')[1] ?? '';
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await page.getByLabel('Embed snippet', { exact: true }).inputValue()).toBe(
      `<script>window.weftChatConfig={token:'${token}',baseUrl:'${server.url}'}</script><script src="${server.url}/embed.js" async></script>`,
    );
    await page.getByLabel('Allowed origins').fill('not an origin');
    await page.getByRole('button', { name: 'Save origins' }).click();
    await page.getByRole('alert').filter({ hasText: 'not an origin like' }).waitFor();
    await page.getByLabel('Allowed origins').fill(`${siteOrigin}/`);
    await page.getByRole('button', { name: 'Save origins' }).click();
    await page.getByText('Allowed origins saved.').waitFor();
    const stored = await trpc('webChat.get', { workspaceId, appId });
    expect((stored.webChat as { allowedOrigins: string[] }).allowedOrigins).toEqual([siteOrigin]);

    await page.addScriptTag({ path: AXE });
    const violations = await page.evaluate(async () => {
      const axe = (
        window as unknown as { axe: { run(): Promise<{ violations: { impact: string; id: string }[] }> } }
      ).axe;
      return (await axe.run()).violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    });
    expect(violations).toEqual([]);
  });

  it('serves /embed.js as cacheable JavaScript', async () => {
    const res = await fetch(`${server.url}/embed.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/javascript/);
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
    expect(await res.text()).toContain('weftChatConfig');
  });

  it('opens the bubble on another origin and streams the answer inside the iframe', async () => {
    const shop = await browser.newPage();
    try {
      await shop.goto(siteOrigin);
      const bubble = shop.getByRole('button', { name: 'Open chat' });
      await bubble.click();
      const frame = shop.frameLocator('iframe[title="Chat"]');
      await frame.getByLabel('Message', { exact: true }).fill('Do you ship to Mars?');
      await frame.getByLabel('Message', { exact: true }).press('Enter');
      await frame.locator('strong', { hasText: 'embedded' }).waitFor();
      expect(await frame.getByRole('log', { name: 'Messages' }).textContent()).toContain(
        'Hello from the embedded bot',
      );
      // Embedded: no conversation list. Escape closes the panel and gives the focus back.
      expect(await frame.getByRole('navigation', { name: 'Conversations' }).count()).toBe(0);
      await shop.keyboard.press('Escape');
      await shop.getByRole('button', { name: 'Open chat' }).waitFor();
      expect(await shop.locator('#weft-chat-panel').getAttribute('data-open')).toBe('false');
    } finally {
      await shop.close();
    }
  });

  it('serves the chat page directly, frameable only by the allowed origins', async () => {
    const res = await fetch(`${server.url}/chat/${token}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(`frame-ancestors 'self' ${siteOrigin}`);

    const chat = await browser.newPage();
    try {
      await chat.goto(`${server.url}/chat/${token}`);
      // The list loads (empty, or with the bubble's conversation when storage is shared).
      const list = chat.getByRole('navigation', { name: 'Conversations' });
      await list.getByText('Loading…').waitFor({ state: 'detached' });
      expect(await list.getByRole('alert').count()).toBe(0);
      await chat.getByLabel('Message', { exact: true }).fill('What is <b>new</b>?');
      await chat.getByRole('button', { name: 'Send' }).click();
      await chat.locator('strong', { hasText: 'embedded' }).waitFor();
      // The question is shown as text, never as HTML.
      await chat.getByRole('log', { name: 'Messages' }).getByText('What is <b>new</b>?').waitFor();
      const conversation = chat
        .getByRole('navigation', { name: 'Conversations' })
        .getByRole('button', { name: 'What is <b>new</b>?' });
      await conversation.waitFor();
      await chat.getByRole('button', { name: 'New chat' }).click();
      await chat.getByText('Ask a question to start the conversation.').waitFor();
      await conversation.click();
      await chat.locator('strong', { hasText: 'embedded' }).waitFor();
    } finally {
      await chat.close();
    }
  });

  it('gives CORS only to allowed origins and refuses the others', async () => {
    const info = (origin: string, method = 'GET') =>
      fetch(`${server.url}/api/web/${token}/info`, {
        method,
        headers: { origin, 'access-control-request-method': 'POST' },
      });
    const allowed = await info(siteOrigin);
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(siteOrigin);
    expect(await allowed.json()).toMatchObject({ name: 'Shop helper', mode: 'advanced-chat' });
    const preflight = await info(siteOrigin, 'OPTIONS');
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(siteOrigin);

    for (const method of ['GET', 'OPTIONS']) {
      const refused = await info('http://evil.example', method);
      expect(refused.status).toBe(403);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    }
    const post = await fetch(`${server.url}/api/web/${token}/chat-messages`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'hi', user: 'x' }),
    });
    expect(post.status).toBe(403);
    expect(post.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers 404 once the web chat is disabled, and for unknown tokens', async () => {
    await trpc('webChat.disable', { workspaceId, appId });
    expect((await fetch(`${server.url}/chat/${token}`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/web/${token}/info`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/web/${'a'.repeat(32)}/info`)).status).toBe(404);
    const res = await fetch(`${server.url}/api/web/${token}/chat-messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'hi', user: 'x' }),
    });
    expect(res.status).toBe(404);
  });
});
