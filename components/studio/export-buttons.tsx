// Downloads the draft, or one version, as a JSON or YAML file that Import accepts.
'use client';

import { useState } from 'react';
import { useTRPCClient } from '@/components/trpc-provider';
import { buttonClass } from '@/components/ui/button';

export function ExportButtons(props: {
  workspaceId: string;
  appId: string;
  versionId?: string;
  label?: string;
}) {
  const client = useTRPCClient();
  const [error, setError] = useState<string | null>(null);
  const what = props.label ?? 'draft';

  const download = async (format: 'json' | 'yaml') => {
    setError(null);
    try {
      const file = await client.studio.exportApp.query({
        workspaceId: props.workspaceId,
        appId: props.appId,
        format,
        ...(props.versionId ? { versionId: props.versionId } : {}),
      });
      const url = URL.createObjectURL(
        new Blob([file.content], { type: format === 'json' ? 'application/json' : 'application/yaml' }),
      );
      const link = document.createElement('a');
      link.href = url;
      link.download = file.filename;
      link.click();
      URL.revokeObjectURL(url);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    }
  };

  return (
    <fieldset className="row plain-fieldset">
      <legend className="sr-only">Export the {what}</legend>
      <button type="button" className={buttonClass('ghost', true)} onClick={() => void download('json')}>
        Export JSON
      </button>
      <button type="button" className={buttonClass('ghost', true)} onClick={() => void download('yaml')}>
        Export YAML
      </button>
      {error ? (
        <span role="alert" className="error-text">
          {error}
        </span>
      ) : null}
    </fieldset>
  );
}
