// The Build tab's read-only view of the draft: revision, nodes, edges and the raw definition.
'use client';

import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '@/components/trpc-provider';
import { ErrorBanner } from '@/components/ui/error-banner';
import { formatDateTime, RelativeTime } from '@/components/ui/time';

export function DraftViewer({ workspaceId, appId }: { workspaceId: string; appId: string }) {
  const trpc = useTRPC();
  const draft = useQuery(trpc.apps.getDraft.queryOptions({ workspaceId, appId }));

  if (draft.isPending) return <p className="muted">Loading…</p>;
  if (draft.error) return <ErrorBanner error={draft.error} onRetry={() => draft.refetch()} />;

  const { revision, updatedAt, definition } = draft.data;
  const titles = new Map(definition.nodes.map((n) => [n.id, n.title || n.id]));

  return (
    <section className="stack">
      <div className="row">
        <h2 style={{ margin: 0 }}>Draft</h2>
        <span className="badge">Revision {revision}</span>
        <span className="muted">
          Last saved <RelativeTime date={updatedAt} /> ({formatDateTime(updatedAt)})
        </span>
      </div>
      <p className="muted">Read-only view of the draft definition.</p>

      <div className="card table-wrap" style={{ padding: 0 }}>
        <table className="table">
          <caption className="sr-only">Nodes</caption>
          <thead>
            <tr>
              <th scope="col">Node id</th>
              <th scope="col">Type</th>
              <th scope="col">Title</th>
            </tr>
          </thead>
          <tbody>
            {definition.nodes.length === 0 ? (
              <tr>
                <td colSpan={3} className="muted">
                  No nodes
                </td>
              </tr>
            ) : null}
            {definition.nodes.map((node) => (
              <tr key={node.id}>
                <td>
                  <code>{node.id}</code>
                </td>
                <td>
                  <span className="badge">{node.type}</span>
                </td>
                <td>{node.title}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <div className="card table-wrap" style={{ padding: 0 }}>
        <table className="table">
          <caption className="sr-only">Edges</caption>
          <thead>
            <tr>
              <th scope="col">Edge</th>
              <th scope="col">Source → target</th>
              <th scope="col">Handle</th>
            </tr>
          </thead>
          <tbody>
            {definition.edges.length === 0 ? (
              <tr>
                <td colSpan={3} className="muted">
                  No edges
                </td>
              </tr>
            ) : null}
            {definition.edges.map((edge) => (
              <tr key={edge.id}>
                <td>
                  <code>{edge.id}</code>
                </td>
                <td>
                  <span title={titles.get(edge.source)}>
                    <code>{edge.source}</code>
                  </span>{' '}
                  →{' '}
                  <span title={titles.get(edge.target)}>
                    <code>{edge.target}</code>
                  </span>
                </td>
                <td className="muted">
                  {edge.sourceHandle || edge.targetHandle
                    ? `${edge.sourceHandle ?? 'default'} → ${edge.targetHandle ?? 'default'}`
                    : 'default'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h3>Definition JSON</h3>
      <pre className="code">{JSON.stringify(definition, null, 2)}</pre>
    </section>
  );
}
