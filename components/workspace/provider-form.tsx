// The form that adds a model provider or edits one (owners): name, base URL, API key, default model
// and whether it is the workspace default. When editing, an empty API key keeps the stored one.
'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useTRPC } from '@/components/trpc-provider';
import { Button } from '@/components/ui/button';
import { ErrorBanner } from '@/components/ui/error-banner';
import { errorField } from '@/components/ui/errors';
import { TextField } from '@/components/ui/field';

/** A provider as `providers.list` returns it: never with its key. */
export interface ProviderSummary {
  id: string;
  name: string;
  baseUrl: string | null;
  defaultModel: string | null;
  prices: unknown;
  isDefault: boolean;
  updatedAt: Date;
}

const LABELS = { name: 'Name', baseUrl: 'Base URL', apiKey: 'API key', defaultModel: 'Default model' };

interface ProviderFormProps {
  workspaceId: string;
  /** The provider to edit; without it the form adds a new one. */
  provider?: ProviderSummary;
  /** Called with the saved provider's name after a successful save. */
  onSaved: (name: string) => void;
  onCancel?: () => void;
}

export function ProviderForm({ workspaceId, provider, onSaved, onCancel }: ProviderFormProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const titleId = useId();
  const [name, setName] = useState(provider?.name ?? '');
  const [baseUrl, setBaseUrl] = useState(provider?.baseUrl ?? '');
  const [apiKey, setApiKey] = useState('');
  const [defaultModel, setDefaultModel] = useState(provider?.defaultModel ?? '');
  const [isDefault, setIsDefault] = useState(provider?.isDefault ?? false);

  const onSuccess = async (saved: { name: string }) => {
    await queryClient.invalidateQueries({ queryKey: trpc.providers.list.queryKey() });
    if (!provider) {
      setName('');
      setBaseUrl('');
      setDefaultModel('');
      setIsDefault(false);
    }
    setApiKey('');
    onSaved(saved.name);
  };
  const create = useMutation(trpc.providers.create.mutationOptions({ onSuccess }));
  const update = useMutation(trpc.providers.update.mutationOptions({ onSuccess }));
  const save = provider ? update : create;
  const badField = errorField(save.error);

  const edit = (set: (value: string) => void) => (value: string) => {
    set(value);
    if (save.isError) save.reset();
  };

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const fields = {
      workspaceId,
      name,
      baseUrl: baseUrl.trim() || null,
      defaultModel: defaultModel.trim() || null,
      isDefault,
    };
    if (provider) update.mutate({ ...fields, providerId: provider.id, apiKey: apiKey || undefined });
    else create.mutate({ ...fields, apiKey });
  }

  return (
    <form
      className="stack"
      onSubmit={onSubmit}
      noValidate
      aria-labelledby={provider ? undefined : titleId}
      aria-label={provider ? `Edit ${provider.name}` : undefined}
    >
      {/* Editing happens in a dialog, whose own heading says what it is. */}
      {provider ? null : <h3 id={titleId}>Add provider</h3>}
      <ErrorBanner error={save.error} labels={LABELS} />
      <div className="form-grid">
        <TextField
          label="Name"
          value={name}
          onChange={(e) => edit(setName)(e.target.value)}
          invalid={badField === 'name'}
          maxLength={100}
          required
        />
        <TextField
          label="Base URL"
          type="url"
          value={baseUrl}
          onChange={(e) => edit(setBaseUrl)(e.target.value)}
          invalid={badField === 'baseUrl'}
          placeholder="https://api.openai.com/v1"
          hint="Optional. Leave empty for OpenAI; any OpenAI-compatible endpoint works."
        />
        <TextField
          label={provider ? 'New API key' : 'API key'}
          type="password"
          autoComplete="off"
          value={apiKey}
          onChange={(e) => edit(setApiKey)(e.target.value)}
          invalid={badField === 'apiKey'}
          required={!provider}
          hint={
            provider
              ? 'Optional. Leave empty to keep the current key.'
              : 'Stored encrypted; it is never shown again.'
          }
        />
        <TextField
          label="Default model"
          value={defaultModel}
          onChange={(e) => edit(setDefaultModel)(e.target.value)}
          invalid={badField === 'defaultModel'}
          maxLength={200}
          placeholder="gpt-4o-mini"
          hint="Used by model nodes that do not name a model."
        />
      </div>
      <label className="checkbox">
        <input type="checkbox" checked={isDefault} onChange={(e) => setIsDefault(e.target.checked)} />
        Use as the workspace default
      </label>
      <div className={provider ? 'dialog-actions' : undefined}>
        {onCancel ? <Button onClick={onCancel}>Cancel</Button> : null}
        <Button type="submit" variant="primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : provider ? 'Save changes' : 'Add provider'}
        </Button>
      </div>
    </form>
  );
}
