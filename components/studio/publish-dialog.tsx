// Publishing from the Build tab: a version note, then a new immutable version of the saved draft.
'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTRPC } from '@/components/trpc-provider';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { ErrorBanner } from '@/components/ui/error-banner';
import { TextAreaField } from '@/components/ui/field';

export function PublishDialog(props: { workspaceId: string; appId: string; onClose(): void }) {
  const { workspaceId, appId } = props;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [note, setNote] = useState('');
  const [published, setPublished] = useState<number | null>(null);
  const publish = useMutation(
    trpc.apps.publish.mutationOptions({
      onSuccess: async (version) => {
        setPublished(version.versionNumber);
        await queryClient.invalidateQueries({ queryKey: trpc.apps.versions.queryKey() });
      },
    }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    publish.mutate({ workspaceId, appId, note: note.trim() || undefined });
  };

  return (
    <Dialog title="Publish the draft" onClose={props.onClose}>
      {published !== null ? (
        <div className="stack">
          <p role="status">Published version {published}.</p>
          <div className="dialog-actions">
            <Button variant="primary" onClick={props.onClose}>
              Done
            </Button>
          </div>
        </div>
      ) : (
        <form className="stack" onSubmit={submit}>
          <ErrorBanner error={publish.error} labels={{ note: 'Version note' }} />
          <TextAreaField
            label="Version note (optional)"
            value={note}
            onChange={(e) => setNote(e.target.value)}
            maxLength={500}
            hint="What changed, for whoever restores or calls this version later."
          />
          <div className="dialog-actions">
            <Button onClick={props.onClose}>Cancel</Button>
            <Button type="submit" variant="primary" disabled={publish.isPending}>
              {publish.isPending ? 'Publishing…' : 'Publish'}
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
