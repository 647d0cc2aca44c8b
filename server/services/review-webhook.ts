// The workspace's review webhook: a Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat,
// Discord's /slack endpoint, …) told when a review opens and when one is still waiting at its
// reminder time. The body is `{ text, blocks }`: `text` alone reads well everywhere, `blocks` adds a
// button where Block Kit is understood.
//
// The URL is chosen by a workspace owner, so it goes through the same SSRF guard as the HTTP node
// (workflows/nodes/http-guard.ts): http(s) only, public addresses unless WEFT_HTTP_ALLOWLIST lets a
// host through, checked when the URL is saved and again at connect time. Redirects are not followed.
// A non-2xx answer or a network error is retried a few times with backoff, then logged; nothing
// here ever throws into a run.
import { fetch as undiciFetch } from 'undici';
import { badInput } from '@/server/errors';
import { StepError } from '@/workflows/interpreter/types';
import { guardedAgent } from '@/workflows/nodes/http';
import { assertAllowedUrl, type LookupAll } from '@/workflows/nodes/http-guard';

export const WEBHOOK_URL_MAX = 2_000;

/**
 * Checks a webhook URL before it is stored or tested: http(s), no credentials, a host the SSRF
 * guard lets through. Problems are a BAD_REQUEST naming `url`.
 */
export async function checkReviewWebhookUrl(raw: string, resolve?: LookupAll): Promise<URL> {
  const text = raw.trim();
  if (text.length > WEBHOOK_URL_MAX) throw badInput('url', `must be at most ${WEBHOOK_URL_MAX} characters`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badInput('url', 'must be an http(s) URL, e.g. https://hooks.slack.com/services/…');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw badInput('url', 'must be an http(s) URL, e.g. https://hooks.slack.com/services/…');
  if (url.username || url.password) throw badInput('url', 'must not contain a user name or password');
  try {
    await assertAllowedUrl(url, resolve);
  } catch (error) {
    if (error instanceof StepError) throw badInput('url', error.message);
    throw error;
  }
  return url;
}

export interface ReviewWebhookNotice {
  kind: 'opened' | 'reminder' | 'test';
  title: string;
  appName: string;
  /** Absolute link to the review in the inbox. */
  link: string;
  deadlineAt?: Date | null;
}

export interface SlackMessage {
  text: string;
  blocks?: unknown[];
}

/** Slack's mrkdwn needs &, < and > escaped (they delimit links and mentions). */
const escapeMrkdwn = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The message for a notice: "Review needed: <title> in <app> — <link>" and a Block Kit version. */
export function reviewWebhookMessage(notice: ReviewWebhookNotice): SlackMessage {
  if (notice.kind === 'test')
    return {
      text: `Test message from Weft (${notice.link}): review notifications of this workspace will arrive here.`,
    };
  const lead = notice.kind === 'reminder' ? 'Reminder, review still waiting' : 'Review needed';
  const deadline = notice.deadlineAt ? ` (decide before ${notice.deadlineAt.toISOString()})` : '';
  const title = escapeMrkdwn(notice.title);
  const app = escapeMrkdwn(notice.appName);
  return {
    text: `${lead}: ${title} in ${app} — ${notice.link}${deadline}`,
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `*${lead}:* <${notice.link}|${title}> in *${app}*${deadline}` },
      },
      {
        type: 'actions',
        elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in Weft' }, url: notice.link }],
      },
    ],
  };
}

export interface WebhookDeliveryOptions {
  /** Waits before the 2nd, 3rd, … attempt; attempts = delays + 1. */
  retryDelaysMs?: number[];
  /** Per-attempt timeout. */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_WEBHOOK_RETRY_DELAYS_MS = [1_000, 5_000, 20_000];

export type WebhookResult = { ok: true } | { ok: false; error: string };

/** Where a URL points, for logs and messages: no path (Slack webhook paths are secrets). */
const logTarget = (url: URL) => url.origin;

function failureText(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof StepError) return cause.message;
  if (error instanceof StepError) return error.message;
  const name = (error as { name?: unknown }).name;
  if (name === 'TimeoutError' || name === 'AbortError') return 'timed out';
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message : String(error);
}

/**
 * POSTs `message` to the webhook, retrying non-2xx answers and network errors. Never rejects:
 * resolves with whether it was delivered (failures are logged).
 */
export async function postReviewWebhook(
  url: URL,
  message: SlackMessage,
  options: WebhookDeliveryOptions = {},
): Promise<WebhookResult> {
  const delays = options.retryDelaysMs ?? DEFAULT_WEBHOOK_RETRY_DELAYS_MS;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const body = JSON.stringify(message);
  let last = '';
  for (let attempt = 0; attempt <= delays.length; attempt++) {
    if (attempt > 0) await sleep(delays[attempt - 1] ?? 0);
    try {
      await assertAllowedUrl(url);
      const res = await undiciFetch(url.toString(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Weft-Review-Webhook/1' },
        body,
        redirect: 'manual',
        dispatcher: guardedAgent(),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      await res.body?.cancel().catch(() => {});
      if (res.status >= 200 && res.status < 300) return { ok: true };
      last = `HTTP ${res.status}`;
      // A webhook that does not exist (or was revoked) will not appear by retrying.
      if (res.status === 404 || res.status === 410) break;
    } catch (error) {
      last = failureText(error);
      const cause = (error as { cause?: unknown }).cause ?? error;
      // The guard refused the address: retrying is futile.
      if (cause instanceof StepError && cause.code === 'http_forbidden_address') break;
    }
  }
  console.error(`review webhook to ${logTarget(url)} not delivered: ${last}`);
  return { ok: false, error: last };
}
