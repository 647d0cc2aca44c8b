// The Publish tab's "API usage" section: how the published API (/api/v1) is being called over the
// last 24 hours, 7 days or 30 days — totals (requests, errors, tokens, cost, p50 / p95 latency) and
// a chart of requests per hour or day (errors stacked in red) with the p95 latency as a line. The
// chart is plain SVG (no chart library); screen readers get its summary and a hidden table instead.
// Every member who can see the app sees this: it holds no key names or secrets.
'use client';

import { useQuery } from '@tanstack/react-query';
import { useId, useMemo, useState } from 'react';
import { useTRPC } from '@/components/trpc-provider';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorBanner } from '@/components/ui/error-banner';

type Range = '24h' | '7d' | '30d';

const RANGES: { value: Range; label: string; span: string }[] = [
  { value: '24h', label: '24 hours', span: 'the last 24 hours' },
  { value: '7d', label: '7 days', span: 'the last 7 days' },
  { value: '30d', label: '30 days', span: 'the last 30 days' },
];

interface Figures {
  requests: number;
  errors: number;
  tokens: number;
  cost: number;
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
}

interface Bucket extends Figures {
  start: string;
}

/** Rows reach the stats within about a second (they are written in batches), so a slow poll is enough. */
const REFRESH_MS = 30_000;

export function ApiUsagePanel({ workspaceId, appId }: { workspaceId: string; appId: string }) {
  const trpc = useTRPC();
  const titleId = useId();
  const [range, setRange] = useState<Range>('24h');
  // Daily buckets start at the viewer's midnight.
  const utcOffsetMinutes = useMemo(() => -new Date().getTimezoneOffset(), []);
  const stats = useQuery({
    ...trpc.apiUsage.stats.queryOptions({ workspaceId, appId, range, utcOffsetMinutes }),
    refetchInterval: REFRESH_MS,
  });
  const span = RANGES.find((r) => r.value === range)?.span ?? '';
  const data = stats.data;

  return (
    <section className="card stack" aria-labelledby={titleId} aria-busy={stats.isFetching}>
      <div className="usage-head">
        <h2 id={titleId}>API usage</h2>
        <fieldset className="segmented">
          <legend className="sr-only">Period</legend>
          {RANGES.map((r) => (
            <label key={r.value}>
              <input
                type="radio"
                name={`${titleId}-range`}
                value={r.value}
                checked={range === r.value}
                onChange={() => setRange(r.value)}
              />
              {r.label}
            </label>
          ))}
        </fieldset>
      </div>
      <p className="muted">
        Requests to this app’s published API in {span}, counted per {data?.unit ?? 'period'}. Errors are
        answers with an HTTP error status and runs that failed; tokens and cost are those of the runs the
        requests started.
      </p>

      {stats.error ? <ErrorBanner error={stats.error} onRetry={() => stats.refetch()} /> : null}
      {stats.isPending ? (
        <div className="skeleton" role="status">
          <span className="sr-only">Loading usage…</span>
        </div>
      ) : null}
      {data && data.totals.requests === 0 ? (
        <EmptyState title="No API requests in this period yet">
          Create an API key in the section above and call the app with it: requests show up here within a few
          seconds.
        </EmptyState>
      ) : null}
      {data && data.totals.requests > 0 ? (
        <>
          <UsageTiles totals={data.totals} />
          <UsageChart buckets={data.buckets} unit={data.unit} span={span} />
        </>
      ) : null}
    </section>
  );
}

const integer = (n: number) => n.toLocaleString();

function formatLatency(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

const formatCost = (usd: number) => `$${usd.toFixed(usd > 0 && usd < 1 ? 4 : 2)}`;

function UsageTiles({ totals }: { totals: Figures }) {
  const errorRate = totals.requests ? Math.round((totals.errors / totals.requests) * 1000) / 10 : 0;
  const tiles: { label: string; value: string; note?: string }[] = [
    { label: 'Requests', value: integer(totals.requests) },
    { label: 'Errors', value: integer(totals.errors), note: `${errorRate}% of requests` },
    { label: 'Tokens', value: integer(totals.tokens) },
    { label: 'Cost', value: formatCost(totals.cost) },
    { label: 'p50 latency', value: formatLatency(totals.p50LatencyMs) },
    { label: 'p95 latency', value: formatLatency(totals.p95LatencyMs) },
  ];
  return (
    <dl className="usage-tiles">
      {tiles.map((t) => (
        <div key={t.label} className="usage-tile">
          <dt>{t.label}</dt>
          <dd>{t.value}</dd>
          {t.note ? <dd className="hint">{t.note}</dd> : null}
        </div>
      ))}
    </dl>
  );
}

/** A round axis maximum at or above `value` (1, 2, 2.5 or 5 times a power of ten). */
function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 2.5, 5, 10].find((m) => m * power >= value) ?? 10) * power;
}

function bucketLabel(start: string, unit: 'hour' | 'day'): string {
  const date = new Date(start);
  return unit === 'hour'
    ? date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

// Chart geometry, in viewBox units (the SVG scales to the card's width).
const W = 720;
const H = 240;
const PAD = { top: 14, right: 56, bottom: 30, left: 44 };
const PLOT_W = W - PAD.left - PAD.right;
const PLOT_H = H - PAD.top - PAD.bottom;

function UsageChart({ buckets, unit, span }: { buckets: Bucket[]; unit: 'hour' | 'day'; span: string }) {
  const id = useId();
  const maxRequests = niceMax(Math.max(...buckets.map((b) => b.requests)));
  const p95s = buckets.map((b) => b.p95LatencyMs);
  const maxLatency = niceMax(Math.max(0, ...p95s.map((v) => v ?? 0)));
  const slot = PLOT_W / Math.max(buckets.length, 1);
  const barWidth = Math.max(2, slot * 0.7);
  const y = (n: number) => PAD.top + PLOT_H - (n / maxRequests) * PLOT_H;
  const yLatency = (ms: number) => PAD.top + PLOT_H - (ms / maxLatency) * PLOT_H;
  const x = (i: number) => PAD.left + slot * i + slot / 2;
  // About six labels on the time axis, whatever the bucket count.
  const labelEvery = Math.max(1, Math.ceil(buckets.length / 6));
  const requestTicks = [0, maxRequests / 2, maxRequests].filter((t) => Number.isInteger(t));

  // The p95 line breaks where a bucket had no requests (no latency to draw).
  const segments: string[] = [];
  let current: string[] = [];
  p95s.forEach((v, i) => {
    if (v === null) {
      if (current.length) segments.push(current.join(' '));
      current = [];
    } else current.push(`${x(i).toFixed(1)},${yLatency(v).toFixed(1)}`);
  });
  if (current.length) segments.push(current.join(' '));

  const total = buckets.reduce((n, b) => n + b.requests, 0);
  const errors = buckets.reduce((n, b) => n + b.errors, 0);
  const busiest = buckets.reduce((best, b) => (b.requests > best.requests ? b : best), buckets[0] as Bucket);
  const slowest = Math.max(0, ...p95s.map((v) => v ?? 0));
  const summary =
    `${integer(total)} requests and ${integer(errors)} errors in ${span}. ` +
    `Busiest ${unit}: ${bucketLabel(busiest.start, unit)} with ${integer(busiest.requests)} requests. ` +
    `Highest p95 latency in a ${unit}: ${formatLatency(slowest)}.`;

  return (
    <figure className="usage-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <title id={`${id}-title`}>{`Requests per ${unit} and p95 latency, ${span}`}</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        {requestTicks.map((t) => (
          <g key={`r${t}`}>
            <line className="usage-grid" x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} />
            <text className="usage-axis" x={PAD.left - 6} y={y(t) + 4} textAnchor="end">
              {integer(t)}
            </text>
          </g>
        ))}
        {[0, maxLatency / 2, maxLatency].map((t) => (
          <text key={`l${t}`} className="usage-axis" x={W - PAD.right + 6} y={yLatency(t) + 4}>
            {formatLatency(t)}
          </text>
        ))}
        {buckets.map((b, i) => {
          const ok = b.requests - b.errors;
          const left = x(i) - barWidth / 2;
          return (
            <g key={b.start}>
              <title>{`${bucketLabel(b.start, unit)}: ${b.requests} requests, ${b.errors} errors, p95 ${formatLatency(b.p95LatencyMs)}`}</title>
              {ok > 0 ? (
                <rect
                  className="usage-bar"
                  x={left}
                  width={barWidth}
                  y={y(b.requests)}
                  height={y(b.errors) - y(b.requests)}
                />
              ) : null}
              {b.errors > 0 ? (
                <rect
                  className="usage-bar-error"
                  x={left}
                  width={barWidth}
                  y={y(b.errors)}
                  height={y(0) - y(b.errors)}
                />
              ) : null}
              {i % labelEvery === 0 ? (
                <text className="usage-axis" x={x(i)} y={H - 10} textAnchor="middle">
                  {bucketLabel(b.start, unit)}
                </text>
              ) : null}
            </g>
          );
        })}
        <line className="usage-baseline" x1={PAD.left} x2={W - PAD.right} y1={y(0)} y2={y(0)} />
        {segments.map((points) =>
          points.includes(' ') ? (
            <polyline key={points} className="usage-latency" points={points} />
          ) : (
            <circle
              key={points}
              className="usage-latency-dot"
              cx={points.split(',')[0]}
              cy={points.split(',')[1]}
              r={3}
            />
          ),
        )}
      </svg>
      <figcaption className="usage-legend" aria-hidden="true">
        <span className="usage-swatch usage-swatch-ok" /> Successful requests
        <span className="usage-swatch usage-swatch-error" /> Errors
        <span className="usage-swatch usage-swatch-latency" /> p95 latency (right axis)
      </figcaption>
      <table className="sr-only">
        <caption>{`Usage per ${unit}, ${span}`}</caption>
        <thead>
          <tr>
            <th scope="col">{unit === 'hour' ? 'Hour' : 'Day'}</th>
            <th scope="col">Requests</th>
            <th scope="col">Errors</th>
            <th scope="col">p50 latency</th>
            <th scope="col">p95 latency</th>
          </tr>
        </thead>
        <tbody>
          {buckets.map((b) => (
            <tr key={b.start}>
              <th scope="row">{bucketLabel(b.start, unit)}</th>
              <td>{b.requests}</td>
              <td>{b.errors}</td>
              <td>{formatLatency(b.p50LatencyMs)}</td>
              <td>{formatLatency(b.p95LatencyMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
