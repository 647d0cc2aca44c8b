// Weft's configuration, read from the environment once and validated with zod. A bad value stops
// start-up with a message that names the variable. APP_SECRET is generated on first start and kept
// under the data directory so sessions and encrypted secrets survive restarts.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine(
      (v) => {
        if (v === undefined) return true;
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
    );

const emptyToUndefined = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const HOST_PORT = /^[^\s:/]+:\d{1,5}$/;

const wholeNumber = (fallback: string, min: number, max: number, unit: string) =>
  z
    .string()
    .trim()
    .default(fallback)
    .refine((v) => /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max, {
      message: `must be a whole number ${unit ? `of ${unit} ` : ''}from ${min} to ${max}`,
    })
    .transform(Number);

export const configSchema = z
  .object({
    DATABASE_URL: optionalUrl(['postgres:', 'postgresql:']),
    WEFT_DATA_DIR: z.string().trim().min(1).default('.data'),
    APP_SECRET: emptyToUndefined.refine((v) => v === undefined || v.length >= 32, {
      message: 'must be at least 32 characters (leave it unset to have one generated)',
    }),
    OPENAI_API_KEY: emptyToUndefined,
    OPENAI_BASE_URL: optionalUrl(['http:', 'https:']),
    TEMPORAL_ADDRESS: emptyToUndefined.refine((v) => v === undefined || HOST_PORT.test(v), {
      message: 'must be host:port, for example 127.0.0.1:7233',
    }),
    TEMPORAL_NAMESPACE: z.string().trim().min(1).default('default'),
    TEMPORAL_TASK_QUEUE: z.string().trim().min(1).default('weft-runs'),
    TEMPORAL_HEARTBEAT_TIMEOUT_MS: wholeNumber('30000', 1_000, 3_600_000, 'milliseconds'),
    TEMPORAL_CONTINUE_AS_NEW_EVENTS: wholeNumber('10000', 100, 40_000, ''),
    // Runs spend most of their time waiting on models and remote APIs, which costs a worker nothing:
    // a low limit would queue streamed chat answers behind each other long before the CPU is busy.
    WEFT_WORKER_CONCURRENCY: z
      .string()
      .trim()
      .default('100')
      .refine((v) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 1000, {
        message: 'must be a whole number from 1 to 1000',
      })
      .transform(Number),
    WEFT_LEASE_MS: z
      .string()
      .trim()
      .default('15000')
      .refine((v) => /^\d+$/.test(v) && Number(v) >= 500 && Number(v) <= 600_000, {
        message: 'must be a whole number of milliseconds from 500 to 600000',
      })
      .transform(Number),
    WEFT_WEB_WORKER: z
      .enum(['true', 'false'], { message: 'must be true or false' })
      .default('true')
      .transform((v) => v === 'true'),
    WEFT_HTTP_ALLOWLIST: emptyToUndefined,
    // Per-API-key rate limit of /api/v1 (a token bucket): the sustained rate and the burst size.
    WEFT_API_RATE_PER_MINUTE: wholeNumber('600', 1, 1_000_000, 'requests a minute'),
    WEFT_API_BURST: wholeNumber('60', 1, 100_000, 'requests'),
    // Per-address rate limit of the public web chat's endpoints (/api/web/<token>/…), per chat.
    WEFT_WEB_RATE_PER_MINUTE: wholeNumber('120', 1, 1_000_000, 'requests a minute'),
    WEFT_WEB_BURST: wholeNumber('30', 1, 100_000, 'requests'),
    // The address people reach Weft at, for absolute links in review webhooks, e-mails and
    // external review links (default http://localhost:<PORT>).
    WEFT_PUBLIC_URL: optionalUrl(['http:', 'https:']),
    // E-mail to reviewers: on only when SMTP_URL is set (smtp://user:pass@host:port, or smtps://).
    SMTP_URL: optionalUrl(['smtp:', 'smtps:']),
    SMTP_FROM: emptyToUndefined.refine(
      (v) => v === undefined || /^[^\s@<>]+@[^\s@<>]+$|<[^\s@<>]+@[^\s@<>]+>$/.test(v),
      {
        message: 'must be an e-mail address, e.g. weft@example.com or "Weft <weft@example.com>"',
      },
    ),
    // Web server processes sharing the port (one Node.js thread each): up to one per core pays off
    // on PostgreSQL; PGlite is one process only.
    WEFT_WEB_PROCESSES: wholeNumber('1', 1, 64, ''),
    PORT: z
      .string()
      .trim()
      .default('3000')
      .refine((v) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 65535, {
        message: 'must be a whole number from 1 to 65535',
      })
      .transform(Number),
  })
  .superRefine((c, ctx) => {
    // Temporal workers are separate processes: they must reach the same database as the web process.
    if (c.TEMPORAL_ADDRESS && HOST_PORT.test(c.TEMPORAL_ADDRESS) && !c.DATABASE_URL)
      ctx.addIssue({
        code: 'custom',
        path: ['TEMPORAL_ADDRESS'],
        message:
          'needs DATABASE_URL: Temporal workers share PostgreSQL with the web process (PGlite is one process only)',
      });
    if (c.WEFT_WEB_PROCESSES > 1 && !c.DATABASE_URL)
      ctx.addIssue({
        code: 'custom',
        path: ['WEFT_WEB_PROCESSES'],
        message: 'needs DATABASE_URL: several web processes share PostgreSQL (PGlite is one process only)',
      });
  });

export type WeftConfig = Omit<z.infer<typeof configSchema>, 'APP_SECRET' | 'WEFT_DATA_DIR'> & {
  WEFT_DATA_DIR: string;
  APP_SECRET: string;
};

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment without touching the disk; throws ConfigError naming each bad variable. */
export function parseConfig(env: Record<string, string | undefined>) {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? 'environment'),
        message: issue.message,
      })),
    );
  }
  return result.data;
}

/** Reads the secret from the data directory, creating it (mode 600) on first use. */
function persistedAppSecret(dataDir: string): string {
  const file = path.join(dataDir, 'app-secret');
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored.length >= 32) return stored;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): WeftConfig {
  const parsed = parseConfig(env);
  const dataDir = path.resolve(parsed.WEFT_DATA_DIR);
  return {
    ...parsed,
    WEFT_DATA_DIR: dataDir,
    APP_SECRET: parsed.APP_SECRET ?? persistedAppSecret(dataDir),
  };
}

let cached: WeftConfig | undefined;
/** The process-wide configuration, loaded on first call. */
export function config(): WeftConfig {
  cached ??= loadConfig();
  return cached;
}
