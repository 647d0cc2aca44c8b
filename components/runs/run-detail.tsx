// One run: the canvas of the definition that ran with each node's status, the selected node's
// input / output / error / logs, totals (duration, tokens, cost) and the event timeline. A live
// run follows its events and can be cancelled.
'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useMemo, useState } from 'react';
import { WorkflowCanvas } from '@/components/canvas/workflow-canvas';
import { RunReviews } from '@/components/inbox/run-reviews';
import { isFinished, nodeStatuses } from '@/components/studio/run-view-state';
import { useRunStream } from '@/components/studio/use-run-stream';
import { useTRPC } from '@/components/trpc-provider';
import { buttonClass } from '@/components/ui/button';
import { ErrorBanner } from '@/components/ui/error-banner';
import { formatDateTime } from '@/components/ui/time';
import { useWorkspaceRole } from '@/components/workspace/use-workspace-role';
import type { NodeRunStatus } from '@/workflows/dsl/inspection-types';
import '@/components/studio/studio.css';

const SHOWN_STATUSES = new Set<string>(['running', 'succeeded', 'failed', 'skipped', 'paused']);

function duration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function RunDetail({
  workspaceId,
  appId,
  runId,
}: {
  workspaceId: string;
  appId: string;
  runId: string;
}) {
  const trpc = useTRPC();
  const { canEdit } = useWorkspaceRole(workspaceId);
  const live = useRunStream(runId);
  const run = useQuery({
    ...trpc.runs.get.queryOptions({ workspaceId, runId }),
    // While the run goes on, its rows follow the stream.
    refetchInterval: (query) =>
      query.state.data && ['queued', 'running', 'paused'].includes(query.state.data.status) ? 1000 : false,
  });
  const nodeTypes = useQuery(trpc.studio.nodeTypes.queryOptions());
  const inspection = useQuery({
    ...trpc.studio.inspect.queryOptions({ workspaceId, definition: run.data?.definition ?? null }),
    enabled: Boolean(run.data),
  });
  const cancel = useMutation(trpc.runs.cancel.mutationOptions({ onSuccess: () => run.refetch() }));
  const [selected, setSelected] = useState<string | null>(null);

  const statuses = useMemo(() => {
    const fromRows: Record<string, NodeRunStatus> = {};
    for (const [id, node] of Object.entries(run.data?.nodes ?? {}))
      if (SHOWN_STATUSES.has(node.status)) fromRows[id] = node.status as NodeRunStatus;
    return { ...fromRows, ...nodeStatuses(live) };
  }, [run.data, live]);

  if (run.isPending) return <p className="muted">Loading the run…</p>;
  if (run.error) return <ErrorBanner error={run.error} onRetry={() => run.refetch()} />;
  const data = run.data;
  const finished = ['succeeded', 'partially_succeeded', 'failed', 'cancelled'].includes(data.status);
  const node = selected ? data.nodes[selected] : undefined;
  const usage = data.usage as { promptTokens?: number; completionTokens?: number; cost?: number } | null;
  const elapsed =
    data.startedAt && (data.finishedAt || !finished)
      ? (data.finishedAt ? new Date(data.finishedAt) : new Date()).getTime() -
        new Date(data.startedAt).getTime()
      : null;
  const events = live.events;

  return (
    <div className="stack">
      <p className="muted">
        <Link href={`/studio/${workspaceId}/apps/${appId}/runs`}>← Runs</Link>
      </p>
      <div className="row">
        <h2 style={{ margin: 0 }}>Run</h2>
        <span className={`badge status-${data.status}`} data-testid="run-detail-status">
          {data.status.replace('_', ' ')}
        </span>
        <span className="muted">
          {data.versionNumber ? `Version ${data.versionNumber}` : 'Draft'} · started{' '}
          {formatDateTime(data.createdAt)}
          {data.engine === 'temporal' ? ' · on Temporal' : ''}
        </span>
        <span className="spacer" />
        {canEdit && !finished && !isFinished(live) ? (
          <button
            type="button"
            className={buttonClass('danger', true)}
            onClick={() => cancel.mutate({ workspaceId, runId })}
            disabled={cancel.isPending}
          >
            Cancel run
          </button>
        ) : null}
      </div>
      {cancel.error ? <ErrorBanner error={cancel.error} /> : null}
      <dl className="run-totals">
        <div>
          <dt>Duration</dt>
          <dd>{elapsed === null ? '—' : duration(elapsed)}</dd>
        </div>
        <div>
          <dt>Tokens</dt>
          <dd>{usage ? (usage.promptTokens ?? 0) + (usage.completionTokens ?? 0) : 0}</dd>
        </div>
        <div>
          <dt>Cost</dt>
          <dd>${(usage?.cost ?? 0).toFixed(4)}</dd>
        </div>
        <div>
          <dt>Nodes run</dt>
          <dd>{Object.keys(data.nodes).length}</dd>
        </div>
      </dl>
      {data.error ? <p className="error-text">{(data.error as { message?: string }).message}</p> : null}

      <div className="build-layout">
        <div className="build-canvas">
          {nodeTypes.data ? (
            <WorkflowCanvas
              definition={data.definition}
              nodeTypes={nodeTypes.data}
              inspection={inspection.data ?? null}
              statuses={statuses}
              readOnly
              selectedNodeId={selected}
              onSelect={setSelected}
              onChange={() => {}}
            />
          ) : null}
        </div>
        <aside className="build-side stack" aria-label="Node input and output">
          {node && selected ? (
            <section className="stack">
              <h3 className="panel-subtitle">
                {data.definition.nodes.find((n) => n.id === selected)?.title || selected}{' '}
                <span className={`badge status-${node.status}`}>{node.status}</span>
              </h3>
              <p className="muted">
                {duration(node.durationMs)}
                {node.attempts > 1 ? ` · ${node.attempts} attempts` : ''}
                {node.usage ? ` · ${node.usage.promptTokens + node.usage.completionTokens} tokens` : ''}
              </p>
              <h4 className="panel-subtitle">Input</h4>
              <pre className="code-block">{JSON.stringify(node.input, null, 2)}</pre>
              <h4 className="panel-subtitle">Output</h4>
              <pre className="code-block" data-testid="run-node-output">
                {JSON.stringify(node.output, null, 2)}
              </pre>
              {node.error ? (
                <>
                  <h4 className="panel-subtitle">Error</h4>
                  <pre className="code-block error-text">{JSON.stringify(node.error, null, 2)}</pre>
                </>
              ) : null}
              {Array.isArray(node.logs) && node.logs.length ? (
                <>
                  <h4 className="panel-subtitle">Logs</h4>
                  <pre className="code-block">{node.logs.join('\n')}</pre>
                </>
              ) : null}
            </section>
          ) : (
            <p className="muted">Select a node to see its input and output.</p>
          )}
        </aside>
      </div>

      <RunReviews workspaceId={workspaceId} runId={runId} />

      <section className="problems-panel" aria-labelledby="timeline-title">
        <h2 id="timeline-title" className="panel-title">
          Timeline
        </h2>
        {events.length === 0 ? (
          <p className="muted">Loading events…</p>
        ) : (
          <ol className="timeline">
            {events.map((event) => (
              <li key={event.seq}>
                <span className="muted">{event.at ? new Date(event.at).toLocaleTimeString() : ''}</span>{' '}
                <code>{event.type}</code>
                {event.nodeId ? ` ${event.nodeId}` : ''}
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}
