// The Settings tab: rename the app (name, icon, description), duplicate it, or delete it.
'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { useTRPC } from '@/components/trpc-provider';
import { Button } from '@/components/ui/button';
import { ErrorBanner, SuccessBanner } from '@/components/ui/error-banner';
import { errorField } from '@/components/ui/errors';
import { TextAreaField, TextField } from '@/components/ui/field';
import { useWorkspaceRole } from '@/components/workspace/use-workspace-role';

interface AppSummary {
  id: string;
  name: string;
  icon: string;
  description: string;
}

interface Props {
  workspaceId: string;
  appId: string;
}

export function AppSettings({ workspaceId, appId }: Props) {
  const trpc = useTRPC();
  const app = useQuery(trpc.apps.get.queryOptions({ workspaceId, appId }));
  const { canEdit, role } = useWorkspaceRole(workspaceId);

  if (app.isPending) return <p className="muted">Loading…</p>;
  if (app.error) return <ErrorBanner error={app.error} onRetry={() => app.refetch()} />;

  return (
    <div className="stack">
      {role && !canEdit ? (
        <p className="muted">You are a {role} in this workspace; only editors and owners can change apps.</p>
      ) : null}
      <DetailsForm key={app.data.id} workspaceId={workspaceId} app={app.data} disabled={!canEdit} />
      <DuplicateCard workspaceId={workspaceId} appId={appId} disabled={!canEdit} />
      <DeleteCard workspaceId={workspaceId} app={app.data} disabled={!canEdit} />
    </div>
  );
}

function DetailsForm({
  workspaceId,
  app,
  disabled,
}: {
  workspaceId: string;
  app: AppSummary;
  disabled: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState(app.name);
  const [icon, setIcon] = useState(app.icon);
  const [description, setDescription] = useState(app.description);
  const update = useMutation(
    trpc.apps.update.mutationOptions({
      onSuccess: () =>
        Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.apps.get.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.apps.list.queryKey() }),
        ]),
    }),
  );
  const badField = errorField(update.error);
  const edit = (set: (value: string) => void) => (value: string) => {
    set(value);
    if (update.isSuccess || update.isError) update.reset();
  };

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    update.mutate({ workspaceId, appId: app.id, name, icon, description });
  }

  return (
    <form className="card stack" onSubmit={onSubmit} noValidate>
      <h2>Details</h2>
      <ErrorBanner error={update.error} labels={{ name: 'Name', icon: 'Icon', description: 'Description' }} />
      {update.isSuccess ? <SuccessBanner>Changes saved.</SuccessBanner> : null}
      <TextField
        label="Name"
        value={name}
        onChange={(e) => edit(setName)(e.target.value)}
        invalid={badField === 'name'}
        maxLength={100}
        required
        disabled={disabled}
      />
      <TextField
        label="Icon"
        value={icon}
        onChange={(e) => edit(setIcon)(e.target.value)}
        invalid={badField === 'icon'}
        maxLength={16}
        hint="An emoji or a short symbol."
        style={{ width: '6rem' }}
        disabled={disabled}
      />
      <TextAreaField
        label="Description"
        value={description}
        onChange={(e) => edit(setDescription)(e.target.value)}
        invalid={badField === 'description'}
        maxLength={2000}
        rows={3}
        disabled={disabled}
      />
      <div>
        <Button type="submit" variant="primary" disabled={disabled || update.isPending}>
          {update.isPending ? 'Saving…' : 'Save changes'}
        </Button>
      </div>
    </form>
  );
}

function DuplicateCard({ workspaceId, appId, disabled }: Props & { disabled: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const duplicate = useMutation(
    trpc.apps.duplicate.mutationOptions({
      onSuccess: async (copy) => {
        await queryClient.invalidateQueries({ queryKey: trpc.apps.list.queryKey() });
        router.push(`/studio/${workspaceId}/apps/${copy.id}/build`);
      },
    }),
  );
  const busy = duplicate.isPending || duplicate.isSuccess;
  return (
    <section className="card stack">
      <h2>Duplicate</h2>
      <p className="muted">
        Make a copy of this app with its current draft. Published versions are not copied.
      </p>
      <ErrorBanner error={duplicate.error} />
      <div>
        <Button disabled={disabled || busy} onClick={() => duplicate.mutate({ workspaceId, appId })}>
          {busy ? 'Duplicating…' : 'Duplicate'}
        </Button>
      </div>
    </section>
  );
}

function DeleteCard({
  workspaceId,
  app,
  disabled,
}: {
  workspaceId: string;
  app: AppSummary;
  disabled: boolean;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [confirmation, setConfirmation] = useState('');
  const remove = useMutation(
    trpc.apps.delete.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.apps.list.queryKey() });
        router.replace(`/studio/${workspaceId}`);
      },
    }),
  );
  const busy = remove.isPending || remove.isSuccess;
  const matches = confirmation === app.name;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (matches && !busy) remove.mutate({ workspaceId, appId: app.id });
  }

  return (
    <form className="card stack danger-zone" onSubmit={onSubmit} noValidate>
      <h2>Delete app</h2>
      <p className="muted">
        Deleting removes the app, its draft and all its published versions. This cannot be undone.
      </p>
      <ErrorBanner error={remove.error} />
      <TextField
        label={`Type “${app.name}” to confirm`}
        value={confirmation}
        onChange={(e) => setConfirmation(e.target.value)}
        autoComplete="off"
        disabled={disabled}
      />
      <div>
        <Button type="submit" variant="danger" disabled={disabled || !matches || busy}>
          {busy ? 'Deleting…' : 'Delete app'}
        </Button>
      </div>
    </form>
  );
}
