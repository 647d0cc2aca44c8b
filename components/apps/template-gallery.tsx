// Templates an editor can start an app from in one click: each creates an app whose draft is the
// template's definition and opens its Build tab.
'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useTRPC } from '@/components/trpc-provider';
import { Button } from '@/components/ui/button';
import { ErrorBanner } from '@/components/ui/error-banner';
import { KIND_LABEL } from './kinds';

export function TemplateGallery({ workspaceId }: { workspaceId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const templates = useQuery(trpc.studio.templates.queryOptions({ workspaceId }));
  const create = useMutation(
    trpc.studio.createFromTemplate.mutationOptions({
      onSuccess: async (app) => {
        await queryClient.invalidateQueries({ queryKey: trpc.apps.list.queryKey() });
        router.push(`/studio/${workspaceId}/apps/${app.id}/build`);
      },
    }),
  );

  if (templates.isPending) return <p className="muted">Loading templates…</p>;
  if (templates.error) return <ErrorBanner error={templates.error} onRetry={() => templates.refetch()} />;
  return (
    <section className="stack" aria-labelledby="templates-title">
      <h2 id="templates-title">Start from a template</h2>
      {create.error ? <ErrorBanner error={create.error} /> : null}
      <ul className="card-grid">
        {templates.data.map((template) => (
          <li key={template.id} className="card app-card">
            <div className="row">
              <span className="app-icon" aria-hidden="true">
                {template.icon}
              </span>
              <h3 style={{ margin: 0 }}>{template.name}</h3>
              <span className="spacer" />
              <span className="badge badge-accent">{KIND_LABEL[template.kind]}</span>
            </div>
            <p className="muted">{template.description}</p>
            <div className="row">
              <span className="muted">{template.nodeCount} nodes</span>
              <span className="spacer" />
              <Button
                small
                variant="primary"
                aria-label={`Use template: ${template.name}`}
                disabled={create.isPending || create.isSuccess}
                onClick={() => create.mutate({ workspaceId, templateId: template.id })}
              >
                {create.isPending && create.variables?.templateId === template.id
                  ? 'Creating…'
                  : 'Use template'}
              </Button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
