// The builder's first minutes, in a real browser against `npm start` on PGlite: sign up, create an
// app, see it listed, sign out, restart the server, sign in, and open the app again.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium';
import { startWeft, type WeftServer } from '../support/weft-server';

const artifacts = path.join(process.cwd(), 'tests', '.artifacts');
const email = `builder.${Date.now()}@example.test`;
const password = 'Correct-Horse-42';

describe('studio in a browser', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'weft-e2e-'));
  let server: WeftServer;
  let browser: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    server = await startWeft({ WEFT_DATA_DIR: dataDir });
    browser = await launchChromium();
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('signs up, creates an app and sees it listed', async () => {
    await page.goto(`${server.url}/`);
    await page.waitForURL(/\/sign-in$/);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL(/\/sign-up/);

    // A weak password is refused with a message, and the form stays.
    await page.getByLabel('Name').fill('Ada Builder');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /at least 10 characters/ })
      .waitFor();

    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(/\/studio\/[0-9a-f-]{36}$/);
    await page.getByText('No apps yet').waitFor();

    await page.getByRole('button', { name: 'Create app' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Support bot');
    await dialog.getByLabel('Chat').check();
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/\/apps\/[0-9a-f-]{36}\/build$/);
    // The Build tab opens the new app's draft on the canvas: start wired to the answer node.
    await page.locator('.react-flow__node[data-id="answer"]').waitFor();
    await page.getByTestId('save-state').filter({ hasText: 'Saved' }).waitFor();

    await page.getByRole('link', { name: 'Apps', exact: true }).click();
    await page.getByRole('link', { name: 'Support bot' }).waitFor();
    await page.getByLabel('Search apps').fill('zzz');
    await page.getByText('No apps match').waitFor();
    await page.getByLabel('Search apps').fill('');
    await page.getByRole('link', { name: 'Support bot' }).waitFor();
    await page.screenshot({ path: path.join(artifacts, 'app-list.png') });
  });

  it('signs out, and after a server restart signs in and opens the app', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in$/);
    await page.goto(`${server.url}/studio`);
    await page.waitForURL(/\/sign-in$/);

    await server.stop();
    server = await startWeft({ WEFT_DATA_DIR: dataDir });

    await page.goto(`${server.url}/sign-in`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('Wrong-Password-9');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Incorrect e-mail or password' }).waitFor();

    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/studio\/[0-9a-f-]{36}$/);
    await page.getByRole('link', { name: 'Support bot' }).click();
    await page.waitForURL(/\/apps\/[0-9a-f-]{36}\/build$/);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('Support bot');
    for (const tab of ['Build', 'Runs', 'Publish', 'Settings'])
      expect(await page.getByRole('link', { name: tab, exact: true }).count()).toBe(1);

    // A run started through the API (with this browser's session) shows up in the Runs tab.
    const [, , workspaceId, , appId] = new URL(page.url()).pathname.split('/');
    const started = await page.request.post(`${server.url}/api/trpc/runs.start`, {
      headers: { 'content-type': 'application/json', origin: server.url },
      data: { json: { workspaceId, appId, inputs: { query: 'hi there' } } },
    });
    expect(started.status()).toBe(200);
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page.getByRole('cell', { name: 'Succeeded' }).waitFor();
    await page.getByRole('cell', { name: 'Draft' }).waitFor();
  });
});

describe('studio API over HTTP', () => {
  it('refuses a cross-site mutation before it reaches the router', async () => {
    const server = await startWeft({ WEFT_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'weft-e2e-')) });
    try {
      const body = JSON.stringify({ json: { email: 'x@example.test', password: 'Correct-Horse-42' } });
      const crossSite = await fetch(`${server.url}/api/trpc/auth.signUp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
        body,
      });
      expect(crossSite.status).toBe(403);
      const sameSite = await fetch(`${server.url}/api/trpc/auth.signUp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: server.url },
        body,
      });
      expect(sameSite.status).toBe(200);
      expect(sameSite.headers.get('set-cookie')).toMatch(/weft_session=.+HttpOnly/);
    } finally {
      await server.stop();
    }
  });
});

describe('start-up configuration', () => {
  it('a bad value stops npm start with a message naming the variable', async () => {
    await expect(startWeft({ PORT: 'not-a-port' }, 30_000)).rejects.toThrow(/PORT: must be a whole number/);
  });
});
