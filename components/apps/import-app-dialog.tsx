// Import an app from an exported JSON or YAML file (or pasted text). The server checks the whole
// document first and lists every problem; nothing is created unless it is valid.
'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { type ChangeEvent, type FormEvent, useState } from 'react';
import { useTRPC } from '@/components/trpc-provider';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { TextAreaField } from '@/components/ui/field';

interface Problem {
  message: string;
  path: string;
}

function problemsOf(error: unknown): Problem[] {
  const data = (error as { data?: { problems?: Problem[] | null } } | null)?.data;
  return data?.problems ?? [];
}

export function ImportAppDialog({ workspaceId, onClose }: { workspaceId: string; onClose: () => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [content, setContent] = useState('');
  const [fileName, setFileName] = useState<string | null>(null);
  const importApp = useMutation(
    trpc.studio.importApp.mutationOptions({
      onSuccess: async (app) => {
        await queryClient.invalidateQueries({ queryKey: trpc.apps.list.queryKey() });
        router.push(`/studio/${workspaceId}/apps/${app.id}/build`);
      },
    }),
  );
  const problems = problemsOf(importApp.error);

  const onFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (!file) return;
    setFileName(file.name);
    setContent(await file.text());
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const format = fileName?.match(/\.ya?ml$/i) ? 'yaml' : fileName?.match(/\.json$/i) ? 'json' : undefined;
    importApp.mutate({ workspaceId, content, ...(format ? { format } : {}) });
  };

  return (
    <Dialog
      title="Import an app"
      onClose={onClose}
      description="From a file exported from Weft (JSON or YAML)."
    >
      <form className="stack" onSubmit={submit}>
        <div className="field">
          <label htmlFor="import-file">File</label>
          <input
            id="import-file"
            type="file"
            accept=".json,.yaml,.yml,application/json,text/yaml"
            onChange={onFile}
          />
        </div>
        <TextAreaField
          label="Or paste its contents"
          value={content}
          onChange={(e) => {
            setContent(e.target.value);
            setFileName(null);
          }}
          rows={8}
          className="mono"
        />
        {importApp.error ? (
          <div className="banner" role="alert" data-testid="import-problems">
            <p>
              {problems.length ? 'The file has problems; nothing was imported:' : importApp.error.message}
            </p>
            {problems.length ? (
              <ul>
                {problems.map((p, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: problems have no identity of their own
                  <li key={i}>
                    {p.path ? <code>{p.path}</code> : null} {p.message}
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
        <div className="dialog-actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={!content.trim() || importApp.isPending}>
            {importApp.isPending ? 'Importing…' : 'Import'}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
