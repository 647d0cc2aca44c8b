// Workspace settings, "Model providers": the providers model nodes call (editors see them, without
// keys); owners add, edit, price, test and remove them.
'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useTRPC } from '@/components/trpc-provider';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Dialog } from '@/components/ui/dialog';
import { EmptyState } from '@/components/ui/empty-state';
import { ErrorBanner, SuccessBanner } from '@/components/ui/error-banner';
import { TableHead } from '@/components/ui/table-head';
import { ProviderForm, type ProviderSummary } from './provider-form';
import { PricesEditor, priceTable } from './provider-prices';

interface PanelProps {
  workspaceId: string;
  canEdit: boolean;
  isOwner: boolean;
}

type Open = { kind: 'edit' | 'prices' | 'remove'; provider: ProviderSummary };

export function ProvidersPanel({ workspaceId, canEdit, isOwner }: PanelProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const titleId = useId();
  const [open, setOpen] = useState<Open | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // The list is for editors and owners only; lower roles never ask for it.
  const providers = useQuery({ ...trpc.providers.list.queryOptions({ workspaceId }), enabled: canEdit });
  const remove = useMutation(
    trpc.providers.delete.mutationOptions({
      onSuccess: async ({ name }) => {
        await queryClient.invalidateQueries({ queryKey: trpc.providers.list.queryKey() });
        setOpen(null);
        setNotice(`Provider “${name}” removed.`);
      },
    }),
  );
  const close = () => {
    setOpen(null);
    remove.reset();
  };
  const saved = (message: string) => {
    setOpen(null);
    setNotice(message);
  };

  return (
    <section className="card stack" aria-labelledby={titleId}>
      <h2 id={titleId}>Model providers</h2>
      {!canEdit ? (
        <p className="muted">Only editors and owners can see the workspace’s model providers.</p>
      ) : (
        <>
          <p className="muted">
            OpenAI-compatible endpoints that model nodes call. API keys are stored encrypted and never shown.
          </p>
          {notice ? <SuccessBanner>{notice}</SuccessBanner> : null}
          {providers.isPending ? <p className="muted">Loading…</p> : null}
          {providers.error ? (
            <ErrorBanner error={providers.error} onRetry={() => providers.refetch()} />
          ) : null}
          {providers.data?.length === 0 ? (
            <EmptyState title="No model providers yet">
              Model nodes use OPENAI_API_KEY (and OPENAI_BASE_URL) from the server environment while no
              provider is set.{isOwner ? ' Add one to use another key or an OpenAI-compatible endpoint.' : ''}
            </EmptyState>
          ) : null}
          {providers.data && providers.data.length > 0 ? (
            <div className="table-wrap">
              <table className="table">
                <TableHead columns={['Name', 'Base URL', 'Default model', 'Prices']} actions={isOwner} />
                <tbody>
                  {providers.data.map((p) => (
                    <ProviderRow
                      key={p.id}
                      workspaceId={workspaceId}
                      provider={p}
                      isOwner={isOwner}
                      onOpen={(kind) => {
                        setNotice(null);
                        setOpen({ kind, provider: p });
                      }}
                    />
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
          {!isOwner ? <p className="muted">Only owners can add, change or remove providers.</p> : null}
          {isOwner ? (
            <div className="subsection">
              <ProviderForm
                workspaceId={workspaceId}
                onSaved={(name) => setNotice(`Provider “${name}” added.`)}
              />
            </div>
          ) : null}
        </>
      )}

      {open?.kind === 'edit' ? (
        <Dialog title={`Edit ${open.provider.name}`} onClose={close}>
          <ProviderForm
            workspaceId={workspaceId}
            provider={open.provider}
            onSaved={(name) => saved(`Provider “${name}” saved.`)}
            onCancel={close}
          />
        </Dialog>
      ) : null}
      {open?.kind === 'prices' ? (
        <Dialog title={`Prices for ${open.provider.name}`} onClose={close}>
          <PricesEditor
            workspaceId={workspaceId}
            provider={open.provider}
            onSaved={(name) => saved(`Prices for “${name}” saved.`)}
            onCancel={close}
          />
        </Dialog>
      ) : null}
      {open?.kind === 'remove' ? (
        <ConfirmDialog
          title={`Remove ${open.provider.name}?`}
          message="Its key is deleted. Model nodes set to use this provider fail until they use another one."
          confirmLabel="Remove"
          pendingLabel="Removing…"
          danger
          pending={remove.isPending}
          error={remove.error}
          onConfirm={() => remove.mutate({ workspaceId, providerId: open.provider.id })}
          onCancel={close}
        />
      ) : null}
    </section>
  );
}

function ProviderRow({
  workspaceId,
  provider,
  isOwner,
  onOpen,
}: {
  workspaceId: string;
  provider: ProviderSummary;
  isOwner: boolean;
  onOpen: (kind: Open['kind']) => void;
}) {
  const trpc = useTRPC();
  const test = useMutation(trpc.providers.testConnection.mutationOptions());
  const priceCount = Object.keys(priceTable(provider.prices)).length;
  const result = test.data;

  return (
    <>
      <tr>
        <td>
          {provider.name} {provider.isDefault ? <span className="badge badge-accent">Default</span> : null}
        </td>
        <td>{provider.baseUrl ? <code>{provider.baseUrl}</code> : 'OpenAI'}</td>
        <td>{provider.defaultModel ?? <span className="muted">—</span>}</td>
        <td>
          {priceCount === 0 ? (
            <span className="muted">None</span>
          ) : (
            `${priceCount} ${priceCount === 1 ? 'model' : 'models'}`
          )}
        </td>
        {isOwner ? (
          <td className="actions">
            <Button
              small
              disabled={test.isPending}
              onClick={() => test.mutate({ workspaceId, providerId: provider.id })}
            >
              {test.isPending ? 'Testing…' : 'Test connection'}
            </Button>
            <Button small variant="ghost" onClick={() => onOpen('edit')}>
              Edit
            </Button>
            <Button small variant="ghost" onClick={() => onOpen('prices')}>
              Prices
            </Button>
            <Button small variant="ghost" onClick={() => onOpen('remove')}>
              Remove
            </Button>
          </td>
        ) : null}
      </tr>
      {isOwner && !test.isPending && (result || test.error) ? (
        <tr>
          <td colSpan={5}>
            {result?.ok ? (
              <SuccessBanner>
                Connected: {result.models.length} {result.models.length === 1 ? 'model' : 'models'}
                {result.models.length > 0 ? (
                  <span className="muted">
                    {' '}
                    ({result.models.slice(0, 5).join(', ')}
                    {result.models.length > 5 ? ', …' : ''})
                  </span>
                ) : null}
              </SuccessBanner>
            ) : (
              <ErrorBanner error={result && !result.ok ? result.message : test.error} />
            )}
          </td>
        </tr>
      ) : null}
    </>
  );
}
