// The "new workspace" form: creates a workspace owned by the user and opens it.
'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { useTRPC } from '@/components/trpc-provider';
import { Button } from '@/components/ui/button';
import { ErrorBanner } from '@/components/ui/error-banner';
import { errorField } from '@/components/ui/errors';
import { TextField } from '@/components/ui/field';

export function NewWorkspaceForm({ onClose }: { onClose?: () => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const create = useMutation(
    trpc.workspace.create.mutationOptions({
      onSuccess: async (workspace) => {
        await queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() });
        onClose?.();
        router.push(`/studio/${workspace.id}`);
      },
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    create.mutate({ name });
  }

  return (
    <form className="stack" onSubmit={onSubmit} noValidate>
      <ErrorBanner error={create.error} labels={{ name: 'Workspace name' }} />
      <TextField
        label="Workspace name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        invalid={errorField(create.error) === 'name'}
        maxLength={100}
        required
      />
      <div className="dialog-actions">
        {onClose ? <Button onClick={onClose}>Cancel</Button> : null}
        <Button type="submit" variant="primary" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create workspace'}
        </Button>
      </div>
    </form>
  );
}
