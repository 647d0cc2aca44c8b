// E-mail about reviews, sent only when the operator configured SMTP (SMTP_URL, SMTP_FROM): without
// it nothing is attempted. One message per recipient, so reviewers do not see each other's
// addresses. Failures are logged and never reach the run or the caller that opened the review.
import { createTransport } from 'nodemailer';

export interface SmtpSettings {
  /** smtp://user:pass@host:port or smtps://… */
  url: string;
  /** The From header, e.g. "Weft <weft@example.com>". */
  from: string;
}

export interface ReviewMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Header values may not carry line breaks (header injection) and should stay short. */
const oneLine = (text: string, max = 200) => text.replace(/[\r\n\t]+/g, ' ').slice(0, max);

export interface ReviewMailContent {
  kind: 'opened' | 'reminder';
  title: string;
  appName: string;
  instructions: string;
  /** Absolute link to the review. */
  link: string;
  deadlineAt?: Date | null;
}

/** Subject and body of the message telling a reviewer that a review waits for them. */
export function reviewMail(to: string, content: ReviewMailContent): ReviewMail {
  const title = oneLine(content.title);
  const subject =
    content.kind === 'reminder'
      ? `Reminder: "${title}" is still waiting for a review`
      : `Review needed: ${title}`;
  const lead =
    content.kind === 'reminder'
      ? `The review "${title}" in ${oneLine(content.appName)} is still waiting for a decision.`
      : `A run of ${oneLine(content.appName)} is waiting for your review: "${title}".`;
  const deadline = content.deadlineAt ? `Decide before ${content.deadlineAt.toUTCString()}.` : '';
  const instructions = content.instructions.trim().slice(0, 2_000);
  const text = [lead, instructions ? `\n${instructions}\n` : '', `Open it: ${content.link}`, deadline]
    .filter(Boolean)
    .join('\n');
  const html = [
    `<p>${escapeHtml(lead)}</p>`,
    instructions ? `<blockquote style="white-space:pre-wrap">${escapeHtml(instructions)}</blockquote>` : '',
    `<p><a href="${escapeHtml(content.link)}">Open the review</a></p>`,
    deadline ? `<p>${escapeHtml(deadline)}</p>` : '',
  ]
    .filter(Boolean)
    .join('\n');
  return { to, subject, text, html };
}

/** The message sent to an outside reviewer with their signed link. */
export function reviewLinkMail(
  to: { name: string; email: string },
  content: { title: string; issuerName: string; link: string; expiresAt: Date },
): ReviewMail {
  const title = oneLine(content.title);
  const issuer = oneLine(content.issuerName);
  const text = [
    `Hello ${oneLine(to.name)},`,
    '',
    `${issuer} asks you to review "${title}".`,
    `Open the review: ${content.link}`,
    '',
    `The link is for you only and works until ${content.expiresAt.toUTCString()}.`,
  ].join('\n');
  const html = [
    `<p>Hello ${escapeHtml(oneLine(to.name))},</p>`,
    `<p>${escapeHtml(issuer)} asks you to review “${escapeHtml(title)}”.</p>`,
    `<p><a href="${escapeHtml(content.link)}">Open the review</a></p>`,
    `<p>The link is for you only and works until ${escapeHtml(content.expiresAt.toUTCString())}.</p>`,
  ].join('\n');
  return { to: to.email, subject: `Review requested: ${title}`, text, html };
}

export interface SendResult {
  sent: string[];
  failed: { to: string; error: string }[];
}

/**
 * Sends each message over one SMTP connection setup (a small pool). Never rejects: failures are
 * logged and returned.
 */
export async function sendMails(smtp: SmtpSettings, mails: ReviewMail[]): Promise<SendResult> {
  const result: SendResult = { sent: [], failed: [] };
  if (mails.length === 0) return result;
  const transport = createTransport({
    url: smtp.url,
    pool: true,
    maxConnections: 2,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  try {
    for (const mail of mails) {
      try {
        await transport.sendMail({ from: smtp.from, ...mail });
        result.sent.push(mail.to);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        result.failed.push({ to: mail.to, error: message });
        console.error(`review e-mail to ${mail.to} not sent: ${message}`);
      }
    }
  } finally {
    transport.close();
  }
  return result;
}
