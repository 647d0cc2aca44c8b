// The "Create app" dialog: name, description and kind; opens the new app's Build tab.
'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { useTRPC } from '@/components/trpc-provider';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { ErrorBanner } from '@/components/ui/error-banner';
import { errorField } from '@/components/ui/errors';
import { TextAreaField, TextField } from '@/components/ui/field';

type Kind = 'chat' | 'workflow';

const KINDS: { value: Kind; label: string; hint: string }[] = [
  { value: 'chat', label: 'Chat', hint: 'A conversational assistant that answers messages.' },
  { value: 'workflow', label: 'Workflow', hint: 'Steps that turn inputs into outputs, run on demand.' },
];

export function CreateAppDialog({ workspaceId, onClose }: { workspaceId: string; onClose: () => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [kind, setKind] = useState<Kind>('chat');
  const create = useMutation(
    trpc.apps.create.mutationOptions({
      onSuccess: async (app) => {
        await queryClient.invalidateQueries({ queryKey: trpc.apps.list.queryKey() });
        router.push(`/studio/${workspaceId}/apps/${app.id}/build`);
      },
    }),
  );
  const busy = create.isPending || create.isSuccess;
  const badField = errorField(create.error);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!busy) create.mutate({ workspaceId, name, kind, description: description || undefined });
  }

  return (
    <Dialog title="Create app" onClose={onClose}>
      <form className="stack" onSubmit={onSubmit} noValidate>
        <ErrorBanner error={create.error} labels={{ name: 'Name', description: 'Description' }} />
        <TextField
          label="Name"
          name="name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          invalid={badField === 'name'}
          maxLength={100}
          required
        />
        <TextAreaField
          label="Description"
          name="description"
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          invalid={badField === 'description'}
          maxLength={2000}
          rows={3}
        />
        <fieldset>
          <legend>Kind</legend>
          <div className="radio-group">
            {KINDS.map((k) => (
              <label key={k.value}>
                <input
                  type="radio"
                  name="kind"
                  value={k.value}
                  checked={kind === k.value}
                  onChange={() => setKind(k.value)}
                />
                {k.label}
              </label>
            ))}
          </div>
          <p className="hint">{KINDS.find((k) => k.value === kind)?.hint}</p>
        </fieldset>
        <div className="dialog-actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create'}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
