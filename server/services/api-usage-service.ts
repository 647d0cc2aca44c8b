// Usage stats of an app's published API for the Publish tab: requests, errors, tokens, cost and
// latency percentiles over the last 24 hours (hourly buckets) or 7 / 30 days (daily buckets), read
// from api_requests (written by server/public-api/usage-recorder.ts) joined with the runs the
// requests started. Every bucket of the range is returned, empty ones as zeros, so a chart has a
// continuous axis. Works the same on PGlite and PostgreSQL (plain SQL aggregates only).
import { and, eq, gte, lt, type SQL, sql } from 'drizzle-orm';
import type { DbOrTx } from '@/db/client';
import { apiRequests, apps, runs } from '@/db/schema';
import { notFound } from '@/server/errors';

export const USAGE_RANGES = ['24h', '7d', '30d'] as const;
export type UsageRange = (typeof USAGE_RANGES)[number];

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const RANGE_BUCKETS: Record<UsageRange, { count: number; sizeMs: number; unit: 'hour' | 'day' }> = {
  '24h': { count: 24, sizeMs: HOUR_MS, unit: 'hour' },
  '7d': { count: 7, sizeMs: DAY_MS, unit: 'day' },
  '30d': { count: 30, sizeMs: DAY_MS, unit: 'day' },
};

export interface UsageFigures {
  requests: number;
  /** Answered with status >= 400, or whose run ended `failed` (a stream answers 200 first). */
  errors: number;
  tokens: number;
  /** USD. */
  cost: number;
  /** Null when there were no requests. */
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
}

export interface UsageBucket extends UsageFigures {
  /** ISO time the bucket starts at. */
  start: string;
}

export interface ApiUsageStats {
  range: UsageRange;
  unit: 'hour' | 'day';
  /** The span covered: the first bucket's start to the last bucket's end (ISO). */
  from: string;
  to: string;
  totals: UsageFigures;
  buckets: UsageBucket[];
}

export interface UsageOptions {
  range: UsageRange;
  /** Defaults to the current time; tests pin it. */
  now?: Date;
  /**
   * The viewer's offset from UTC in minutes (e.g. 120 for UTC+2), so daily buckets start at their
   * local midnight. A fixed offset: across a DST change a bucket boundary is off by an hour.
   */
  utcOffsetMinutes?: number;
}

/** Bucket starts of a range: the last bucket holds `now`, the first starts count-1 sizes earlier. */
export function bucketStarts(range: UsageRange, now: Date, utcOffsetMinutes = 0): Date[] {
  const { count, sizeMs } = RANGE_BUCKETS[range];
  const offsetMs = utcOffsetMinutes * 60_000;
  const current = Math.floor((now.getTime() + offsetMs) / sizeMs) * sizeMs - offsetMs;
  return Array.from({ length: count }, (_, i) => new Date(current - (count - 1 - i) * sizeMs));
}

const toNumber = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));
const toLatency = (value: unknown): number | null =>
  value === null || value === undefined ? null : Math.round(Number(value) * 100) / 100;
// Costs are fractions of a cent; round away float noise from summing numerics as doubles.
const toCost = (value: unknown): number => Math.round(toNumber(value) * 1e8) / 1e8;

/** The aggregates shared by the per-bucket and total queries. */
function measures() {
  const failed = sql`(${apiRequests.status} >= 400 or ${runs.status} = 'failed')`;
  return {
    requests: sql<string>`count(*)`,
    errors: sql<string>`count(*) filter (where ${failed})`,
    tokens: sql<string>`coalesce(sum(
      coalesce((${runs.usage}->>'promptTokens')::bigint, 0) +
      coalesce((${runs.usage}->>'completionTokens')::bigint, 0)), 0)`,
    cost: sql<string>`coalesce(sum((${runs.usage}->>'cost')::numeric), 0)`,
    p50: sql<number | null>`percentile_cont(0.5) within group (order by ${apiRequests.latencyMs})`,
    p95: sql<number | null>`percentile_cont(0.95) within group (order by ${apiRequests.latencyMs})`,
  };
}

type MeasureRow = { [K in keyof ReturnType<typeof measures>]: unknown };

function figures(row: MeasureRow | undefined): UsageFigures {
  return {
    requests: toNumber(row?.requests),
    errors: toNumber(row?.errors),
    tokens: toNumber(row?.tokens),
    cost: toCost(row?.cost),
    p50LatencyMs: toLatency(row?.p50),
    p95LatencyMs: toLatency(row?.p95),
  };
}

/** Usage of one app's published API over a range, scoped by workspace (another's app is a 404). */
export async function apiUsageStats(
  db: DbOrTx,
  workspaceId: string,
  appId: string,
  options: UsageOptions,
): Promise<ApiUsageStats> {
  const [app] = await db
    .select({ id: apps.id })
    .from(apps)
    .where(and(eq(apps.id, appId), eq(apps.workspaceId, workspaceId)));
  if (!app) throw notFound('App');

  const { sizeMs, unit } = RANGE_BUCKETS[options.range];
  const starts = bucketStarts(options.range, options.now ?? new Date(), options.utcOffsetMinutes);
  const from = starts[0] ?? new Date();
  const to = new Date((starts.at(-1) ?? from).getTime() + sizeMs);
  // Which bucket a row falls in: whole bucket sizes since `from`. The constants are inlined (both
  // made here, an ISO time and a number) because PostgreSQL only accepts a GROUP BY expression
  // equal to the selected one, and two bound parameters never compare equal.
  const fromSql = sql.raw(`'${from.toISOString()}'::timestamptz`);
  const bucket: SQL<number> = sql<number>`floor(extract(epoch from (${apiRequests.createdAt} - ${fromSql})) * 1000 / ${sql.raw(String(sizeMs))})::int`;
  const scope = and(
    eq(apiRequests.workspaceId, workspaceId),
    eq(apiRequests.appId, appId),
    gte(apiRequests.createdAt, from),
    lt(apiRequests.createdAt, to),
  );
  // The run is matched within the same workspace too, so a stray run id can never leak figures.
  const run = and(eq(runs.id, apiRequests.runId), eq(runs.workspaceId, apiRequests.workspaceId));

  // Two reads (per bucket, then the whole range): percentiles of buckets do not combine.
  const perBucket = await db
    .select({ bucket, ...measures() })
    .from(apiRequests)
    .leftJoin(runs, run)
    .where(scope)
    .groupBy(bucket);
  const [total] = await db.select(measures()).from(apiRequests).leftJoin(runs, run).where(scope);

  const byIndex = new Map(perBucket.map((row) => [Number(row.bucket), row]));
  return {
    range: options.range,
    unit,
    from: from.toISOString(),
    to: to.toISOString(),
    totals: figures(total),
    buckets: starts.map((start, i) => ({ start: start.toISOString(), ...figures(byIndex.get(i)) })),
  };
}
