// Usage stats of the published API against real databases: totals, hourly and daily buckets (empty
// ones included), latency percentiles, errors counted from statuses and failed runs, tokens and cost
// from the runs; another app's or workspace's rows (and runs) never show; members of any role read
// the stats, outsiders get a 404; the recorder's batched writes land in the table, and a batch
// holding a deleted app's rows still writes the others.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { apiRequests, apps, runs } from '@/db/schema';
import { flushUsage, recordApiRequest } from '@/server/public-api/usage-recorder';
import { apiUsageStats, bucketStarts } from '@/server/services/api-usage-service';
import { testDatabases } from '../support/databases';
import { errorCodeOf, signUpUser } from '../support/trpc-harness';

const NOW = new Date('2030-01-15T10:30:00Z');
const hoursAgo = (h: number, from = NOW) => new Date(from.getTime() - h * 3_600_000);

describe.each(testDatabases())('API usage stats on $name', ({ open }) => {
  let database: Database;
  let owner: Awaited<ReturnType<typeof signUpUser>>;
  let outsider: Awaited<ReturnType<typeof signUpUser>>;
  let ws: { workspaceId: string };
  let appId: string;
  let keyId: string;

  type Row = typeof apiRequests.$inferInsert;
  const request = (over: Partial<Row> & Pick<Row, 'workspaceId' | 'appId'>): Row => ({
    method: 'POST',
    route: '/chat-messages',
    status: 200,
    streaming: false,
    latencyMs: 10,
    createdAt: NOW,
    ...over,
  });
  const addRun = async (workspaceId: string, app: string, status: 'succeeded' | 'failed', usage: unknown) => {
    const [run] = await database.db
      .insert(runs)
      .values({ workspaceId, appId: app, definition: {}, inputs: {}, status, usage })
      .returning({ id: runs.id });
    if (!run) throw new Error('no run');
    return run.id;
  };

  beforeAll(async () => {
    database = await open();
    owner = await signUpUser(database.db, 'usage-owner');
    outsider = await signUpUser(database.db, 'usage-outsider');
    ws = { workspaceId: owner.workspaceId };
    appId = (await owner.caller.apps.create({ ...ws, name: 'Help bot', kind: 'chat' })).id;
    keyId = (await owner.caller.apiKeys.create({ ...ws, appId, name: 'Website' })).key.id;
    const siblingId = (await owner.caller.apps.create({ ...ws, name: 'Sibling', kind: 'workflow' })).id;
    const foreignApp = await outsider.caller.apps.create({
      workspaceId: outsider.workspaceId,
      name: 'Elsewhere',
      kind: 'chat',
    });

    const ok = await addRun(ws.workspaceId, appId, 'succeeded', {
      promptTokens: 10,
      completionTokens: 5,
      cost: 0.001,
    });
    const failed = await addRun(ws.workspaceId, appId, 'failed', {
      promptTokens: 3,
      completionTokens: 2,
      cost: 0.0005,
    });
    const foreignRun = await addRun(outsider.workspaceId, foreignApp.id, 'failed', {
      promptTokens: 1000,
      completionTokens: 1000,
      cost: 9,
    });
    const mine = { workspaceId: ws.workspaceId, appId, apiKeyId: keyId };
    await database.db.insert(apiRequests).values([
      // The current hour: two successes (one whose streamed run failed), a 400 and a 500.
      request({ ...mine, latencyMs: 10, runId: ok }),
      request({ ...mine, latencyMs: 20, runId: failed, streaming: true, createdAt: hoursAgo(0.2) }),
      request({ ...mine, latencyMs: 30, status: 400 }),
      request({ ...mine, latencyMs: 40, status: 500, method: 'GET', route: '/messages' }),
      // Five hours ago; its run id names another workspace's run, which must not be joined.
      request({ ...mine, latencyMs: 100, createdAt: hoursAgo(5), runId: foreignRun }),
      // Outside the last 24 hours, inside the last 7 days.
      request({ ...mine, latencyMs: 1000, status: 404, createdAt: hoursAgo(30) }),
      // Outside every range.
      request({ ...mine, latencyMs: 1, createdAt: hoursAgo(24 * 40) }),
      // Another app of the workspace, and another workspace's app.
      request({ workspaceId: ws.workspaceId, appId: siblingId, status: 500, latencyMs: 5 }),
      request({
        workspaceId: outsider.workspaceId,
        appId: foreignApp.id,
        status: 500,
        latencyMs: 7,
        runId: foreignRun,
      }),
    ]);
  });
  afterAll(() => database.close());

  it('totals and hourly buckets for the last 24 hours, empty hours included', async () => {
    const stats = await apiUsageStats(database.db, ws.workspaceId, appId, { range: '24h', now: NOW });
    expect(stats.unit).toBe('hour');
    expect(stats.buckets).toHaveLength(24);
    expect(stats.buckets.at(-1)?.start).toBe('2030-01-15T10:00:00.000Z');
    expect(stats.buckets[0]?.start).toBe('2030-01-14T11:00:00.000Z');
    expect(stats.from).toBe('2030-01-14T11:00:00.000Z');
    expect(stats.to).toBe('2030-01-15T11:00:00.000Z');

    // 400, 500 and the failed run: the foreign run (failed, huge usage) is not joined.
    expect(stats.totals).toEqual({
      requests: 5,
      errors: 3,
      tokens: 20,
      cost: 0.0015,
      p50LatencyMs: 30,
      // percentile_cont: 40 + 0.8 × (100 − 40).
      p95LatencyMs: 88,
    });
    expect(stats.buckets.at(-1)).toEqual({
      start: '2030-01-15T10:00:00.000Z',
      requests: 4,
      errors: 3,
      tokens: 20,
      cost: 0.0015,
      p50LatencyMs: 25,
      p95LatencyMs: 38.5,
    });
    expect(stats.buckets.at(-6)).toMatchObject({ requests: 1, errors: 0, tokens: 0, p50LatencyMs: 100 });
    expect(stats.buckets[0]).toEqual({
      start: '2030-01-14T11:00:00.000Z',
      requests: 0,
      errors: 0,
      tokens: 0,
      cost: 0,
      p50LatencyMs: null,
      p95LatencyMs: null,
    });
    expect(stats.buckets.reduce((n, b) => n + b.requests, 0)).toBe(5);
  });

  it('daily buckets for 7 and 30 days, aligned to the viewer’s midnight', async () => {
    const week = await apiUsageStats(database.db, ws.workspaceId, appId, { range: '7d', now: NOW });
    expect(week.unit).toBe('day');
    expect(week.buckets).toHaveLength(7);
    expect(week.buckets.at(-1)?.start).toBe('2030-01-15T00:00:00.000Z');
    expect(week.totals).toMatchObject({ requests: 6, errors: 4, tokens: 20 });
    // 30 hours before 10:30 is yesterday 04:30.
    expect(week.buckets.at(-2)).toMatchObject({ requests: 1, errors: 1, p95LatencyMs: 1000 });
    expect(week.buckets.at(-1)).toMatchObject({ requests: 5 });

    const month = await apiUsageStats(database.db, ws.workspaceId, appId, { range: '30d', now: NOW });
    expect(month.buckets).toHaveLength(30);
    expect(month.totals.requests).toBe(6);

    // UTC+2: local midnight of 2030-01-15 is 22:00 UTC the day before.
    expect(bucketStarts('7d', NOW, 120).at(-1)?.toISOString()).toBe('2030-01-14T22:00:00.000Z');
    expect(bucketStarts('7d', NOW, -300).at(-1)?.toISOString()).toBe('2030-01-15T05:00:00.000Z');
    const local = await apiUsageStats(database.db, ws.workspaceId, appId, {
      range: '7d',
      now: NOW,
      utcOffsetMinutes: 120,
    });
    expect(local.totals.requests).toBe(6);
  });

  it('is scoped by workspace: another workspace cannot read the app, and sees none of its rows', async () => {
    const code = await errorCodeOf(
      outsider.caller.apiUsage.stats({ workspaceId: outsider.workspaceId, appId, range: '24h' }),
    );
    expect(code).toBe('NOT_FOUND');
    expect(
      await errorCodeOf(outsider.caller.apiUsage.stats({ workspaceId: ws.workspaceId, appId, range: '24h' })),
    ).toBe('NOT_FOUND');
    await expect(
      apiUsageStats(database.db, outsider.workspaceId, appId, { range: '24h', now: NOW }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('lets every member role read the stats through tRPC', async () => {
    const { token } = await owner.caller.workspace.invite({ ...ws, role: 'viewer' });
    const viewer = await signUpUser(database.db, 'usage-viewer', token);
    const stats = await viewer.caller.apiUsage.stats({ ...ws, appId, range: '30d', utcOffsetMinutes: 60 });
    expect(stats.buckets).toHaveLength(30);
    expect(await errorCodeOf(viewer.caller.apiUsage.stats({ ...ws, appId, range: '1y' as '24h' }))).toBe(
      'BAD_REQUEST',
    );
  });

  it('writes recorded requests in batches; a deleted app’s rows do not sink the batch', async () => {
    const doomed = (await owner.caller.apps.create({ ...ws, name: 'Doomed', kind: 'chat' })).id;
    const fresh = (await owner.caller.apps.create({ ...ws, name: 'Fresh', kind: 'chat' })).id;
    const now = new Date();
    for (let i = 0; i < 3; i++)
      recordApiRequest(database.db, request({ workspaceId: ws.workspaceId, appId: fresh, createdAt: now }));
    recordApiRequest(
      database.db,
      request({ workspaceId: ws.workspaceId, appId: doomed, apiKeyId: keyId, createdAt: now }),
    );
    await database.db.delete(apps).where(eq(apps.id, doomed));
    await flushUsage();
    const written = await database.db.select().from(apiRequests).where(eq(apiRequests.appId, fresh));
    expect(written).toHaveLength(3);
    expect(await database.db.select().from(apiRequests).where(eq(apiRequests.appId, doomed))).toEqual([]);
    const stats = await owner.caller.apiUsage.stats({ ...ws, appId: fresh, range: '24h' });
    expect(stats.totals.requests).toBe(3);
  });
});
