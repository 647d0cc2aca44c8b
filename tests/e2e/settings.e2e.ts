// Workspace settings in a real browser against `npm start`: an owner adds a secret (whose value never
// shows again), adds model providers pointing at a mock OpenAI server and tests their connections,
// edits prices and keys, and removes things after confirming; an invited editor sees the lists
// read-only, and a viewer only a note.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium';
import { type MockOpenAI, startMockOpenAI } from '../support/mock-openai';
import { startWeft, type WeftServer } from '../support/weft-server';

const artifacts = path.join(process.cwd(), 'tests', '.artifacts');
const stamp = Date.now();
const password = 'Correct-Horse-42';
const secretValue = `sv-do-not-show-${stamp}`;
const wrongKey = `sk-wrong-${stamp}`;

async function signUp(page: Page, url: RegExp, name: string, email: string) {
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(url);
}

/** Neither the text, the markup nor any input's value holds `text`. */
async function expectAbsent(page: Page, text: string) {
  expect(await page.locator('body').textContent()).not.toContain(text);
  expect(await page.content()).not.toContain(text);
  const values = await page.evaluate(() =>
    Array.from(document.querySelectorAll('input, textarea'), (i) => (i as HTMLInputElement).value),
  );
  expect(values.join('\n')).not.toContain(text);
}

describe('workspace settings in a browser', () => {
  let server: WeftServer;
  let mock: MockOpenAI;
  let owner: BrowserContext;
  let other: BrowserContext | undefined;
  let page: Page;
  let settingsUrl = '';

  beforeAll(async () => {
    mock = await startMockOpenAI({ apiKey: 'sk-test' });
    server = await startWeft({ WEFT_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'weft-e2e-')) });
    owner = await launchChromium();
    page = await owner.newPage();
  });
  afterAll(async () => {
    await other?.close();
    await owner?.close();
    await server?.stop();
    await mock?.close();
  });

  const providerRow = (name: string) =>
    page
      .getByRole('row')
      .filter({ hasText: name })
      .filter({ has: page.getByRole('button', { name: 'Edit' }) });

  it('adds a secret whose value never shows on the page', async () => {
    await page.goto(`${server.url}/sign-up`);
    await signUp(page, /\/studio\/[0-9a-f-]{36}$/, 'Olive Owner', `owner.${stamp}@example.test`);
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL(/\/settings$/);
    settingsUrl = page.url();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await page.getByText('No model providers yet').waitFor();
    await page
      .getByText(/OPENAI_API_KEY/)
      .first()
      .waitFor();

    const form = page.getByRole('form', { name: 'Add secret' });
    await form.getByLabel('Name').fill('api token');
    await form.getByLabel('Value').fill(secretValue);
    await form.getByRole('button', { name: 'Add secret' }).click();
    await page.getByRole('alert').filter({ hasText: 'UPPER_SNAKE_CASE' }).waitFor();
    expect(await form.getByLabel('Name').getAttribute('aria-invalid')).toBe('true');

    await form.getByLabel('Name').fill('API_TOKEN');
    await form.getByRole('button', { name: 'Add secret' }).click();
    await page.getByRole('status').filter({ hasText: 'Secret API_TOKEN saved.' }).waitFor();
    await page.getByText('{{secrets.API_TOKEN}}').waitFor();
    expect(await form.getByLabel('Value').inputValue()).toBe('');
    await expectAbsent(page, secretValue);

    await page.reload();
    await page.getByText('{{secrets.API_TOKEN}}').waitFor();
    await expectAbsent(page, secretValue);
  });

  it('adds a provider on the mock server and connects to it', async () => {
    const form = page.getByRole('form', { name: 'Add provider' });
    await form.getByLabel('Name').fill('Local mock');
    await form.getByLabel('Base URL').fill(mock.url);
    await form.getByLabel('API key').fill('sk-test');
    await form.getByLabel('Default model').fill('mock-gpt');
    await form.getByLabel('Use as the workspace default').check();
    await form.getByRole('button', { name: 'Add provider' }).click();
    await page.getByRole('status').filter({ hasText: 'Provider “Local mock” added.' }).waitFor();
    const row = providerRow('Local mock');
    await row.getByText('Default', { exact: true }).waitFor();
    await row.getByText(mock.url).waitFor();

    await row.getByRole('button', { name: 'Test connection' }).click();
    await page.getByRole('status').filter({ hasText: 'Connected: 3 models' }).waitFor();
    expect(
      mock.requests.some((r) => r.path === '/v1/models' && r.headers.authorization === 'Bearer sk-test'),
    ).toBe(true);

    // Prices: one model, saved through providers.update.
    await row.getByRole('button', { name: 'Prices' }).click();
    const prices = page.getByRole('dialog', { name: 'Prices for Local mock' });
    await prices.getByRole('button', { name: 'Add model' }).click();
    await prices.getByLabel('Model id, row 1').fill('mock-gpt');
    await prices.getByLabel('Input price (USD per 1M tokens), row 1').fill('0.5');
    await prices.getByLabel('Output price (USD per 1M tokens), row 1').fill('1.5');
    await page.screenshot({ path: path.join(artifacts, 'provider-prices.png') });
    await prices.getByRole('button', { name: 'Save prices' }).click();
    await page.getByRole('status').filter({ hasText: 'Prices for “Local mock” saved.' }).waitFor();
    await row.getByRole('cell', { name: '1 model', exact: true }).waitFor();
  });

  it('shows why a provider with a wrong key fails, and connects once the key is replaced', async () => {
    const form = page.getByRole('form', { name: 'Add provider' });
    await form.getByLabel('Name').fill('Broken mock');
    await form.getByLabel('Base URL').fill(mock.url);
    await form.getByLabel('API key').fill(wrongKey);
    await form.getByRole('button', { name: 'Add provider' }).click();
    await page.getByRole('status').filter({ hasText: 'Provider “Broken mock” added.' }).waitFor();

    const row = providerRow('Broken mock');
    await row.getByRole('button', { name: 'Test connection' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'HTTP 401' })
      .filter({ hasText: 'Incorrect API key' })
      .waitFor();
    await expectAbsent(page, wrongKey);

    await row.getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit Broken mock' });
    await dialog.getByLabel('New API key').fill('sk-test');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Provider “Broken mock” saved.' }).waitFor();
    await row.getByRole('button', { name: 'Test connection' }).click();
    // Both rows now show a successful test.
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Connected: 3 models' }).count())
      .toBe(2);
    await page.screenshot({ path: path.join(artifacts, 'workspace-settings.png'), fullPage: true });
  });

  it('an editor sees providers and secret names read-only; a viewer sees a note', async () => {
    await page.getByRole('link', { name: 'Members' }).click();
    await page.getByLabel('Role', { exact: true }).selectOption('editor');
    await page.getByRole('button', { name: 'Create invitation link' }).click();
    const link = await page.getByLabel('Invitation link').inputValue();

    other = await launchChromium();
    const editor = await other.newPage();
    await editor.goto(link);
    await editor.getByRole('link', { name: 'Sign up to join' }).click();
    await editor.waitForURL(/\/sign-up/);
    await signUp(editor, /\/studio/, 'Eddie Editor', `editor.${stamp}@example.test`);
    await editor.goto(settingsUrl);
    await editor.getByRole('row').filter({ hasText: 'Local mock' }).waitFor();
    await editor.getByText('{{secrets.API_TOKEN}}').waitFor();
    await editor.getByText('Only owners can add, change or remove providers.').waitFor();
    expect(await editor.getByRole('button', { name: 'Test connection' }).count()).toBe(0);
    expect(await editor.getByRole('form', { name: 'Add provider' }).count()).toBe(0);
    expect(await editor.getByRole('button', { name: 'Replace value' }).count()).toBe(0);

    await page.reload();
    await page.getByLabel('Role for Eddie Editor').selectOption('viewer');
    await expect.poll(() => page.getByLabel('Role for Eddie Editor').inputValue()).toBe('viewer');
    await editor.reload();
    await editor.getByText('Only editors and owners can see the workspace’s model providers.').waitFor();
    await editor.getByText('Only editors and owners can see the workspace’s secrets.').waitFor();
    expect(await editor.getByRole('table').count()).toBe(0);
  });

  it('replaces and deletes a secret, and removes a provider, after confirming', async () => {
    await page.goto(settingsUrl);
    const secret = page.getByRole('row').filter({ hasText: 'API_TOKEN' });
    await secret.getByRole('button', { name: 'Replace value' }).click();
    const replace = page.getByRole('dialog', { name: 'Replace API_TOKEN' });
    await replace.getByLabel('New value').fill(`${secretValue}-2`);
    await replace.getByRole('button', { name: 'Save value' }).click();
    await page.getByRole('status').filter({ hasText: 'Secret API_TOKEN replaced.' }).waitFor();
    await expectAbsent(page, secretValue);

    await secret.getByRole('button', { name: 'Delete' }).click();
    await page
      .getByRole('dialog', { name: 'Delete API_TOKEN?' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await page.getByText('No secrets yet').waitFor();

    await providerRow('Broken mock').getByRole('button', { name: 'Remove' }).click();
    await page
      .getByRole('dialog', { name: 'Remove Broken mock?' })
      .getByRole('button', { name: 'Remove' })
      .click();
    await page.getByRole('status').filter({ hasText: 'Provider “Broken mock” removed.' }).waitFor();
    await expect.poll(() => providerRow('Broken mock').count()).toBe(0);
    expect(await providerRow('Local mock').count()).toBe(1);
  });
});
