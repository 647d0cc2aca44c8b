// The Build tab: the canvas with its palette, the selected node's form, the problems list, draft
// autosave with conflict detection, publishing, and the test-run panel whose live node statuses
// paint the canvas.
'use client';

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useDefinitionHistory } from '@/components/canvas/use-definition-history';
import { WorkflowCanvas } from '@/components/canvas/workflow-canvas';
import { NodeInspector } from '@/components/node-form/node-inspector';
import { useTRPC } from '@/components/trpc-provider';
import { buttonClass } from '@/components/ui/button';
import { ErrorBanner } from '@/components/ui/error-banner';
import { useWorkspaceRole } from '@/components/workspace/use-workspace-role';
import type { WorkflowDefinition, WorkflowNode } from '@/workflows/dsl/definition';
import { ExportButtons } from './export-buttons';
import { PublishDialog } from './publish-dialog';
import { nodeStatuses } from './run-view-state';
import { TestRunPanel } from './test-run-panel';
import { useDebounced } from './use-debounced';
import { type SaveState, useDraftAutosave } from './use-draft-autosave';
import { useRunStream } from './use-run-stream';
import './studio.css';

interface BuildEditorProps {
  workspaceId: string;
  appId: string;
}

export function BuildEditor({ workspaceId, appId }: BuildEditorProps) {
  const trpc = useTRPC();
  const draft = useQuery({
    ...trpc.apps.getDraft.queryOptions({ workspaceId, appId }),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const app = useQuery(trpc.apps.get.queryOptions({ workspaceId, appId }));
  const { canEdit, query: workspace } = useWorkspaceRole(workspaceId);

  if (draft.isPending || app.isPending || workspace.isPending)
    return <p className="muted">Loading the draft…</p>;
  if (draft.error) return <ErrorBanner error={draft.error} onRetry={() => draft.refetch()} />;
  if (app.error) return <ErrorBanner error={app.error} onRetry={() => app.refetch()} />;
  if (workspace.error) return <ErrorBanner error={workspace.error} onRetry={() => workspace.refetch()} />;
  return (
    <Editor
      workspaceId={workspaceId}
      appId={appId}
      kind={app.data.kind}
      canEdit={canEdit}
      initial={draft.data.definition}
      revision={draft.data.revision}
    />
  );
}

function saveLabel(state: SaveState): string {
  switch (state.kind) {
    case 'saved':
      return `Saved (revision ${state.revision})`;
    case 'dirty':
      return 'Unsaved changes';
    case 'saving':
      return 'Saving…';
    case 'error':
      return 'Not saved';
    case 'conflict':
      return 'Not saved: changed elsewhere';
  }
}

/** The node-relative path of a validator problem: ['nodes', 3, 'config', 'url'] → ['config', 'url']. */
function nodeRelative(path: (string | number)[]): (string | number)[] {
  return path[0] === 'nodes' && typeof path[1] === 'number' ? path.slice(2) : path;
}

function Editor(props: {
  workspaceId: string;
  appId: string;
  kind: 'chat' | 'workflow';
  canEdit: boolean;
  initial: WorkflowDefinition;
  revision: number;
}) {
  const { workspaceId, appId, canEdit } = props;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const history = useDefinitionHistory(props.initial);
  const definition = history.definition;
  const [selectedNodeId, setSelectedNodeId] = useState<string | null>(null);
  const [publishing, setPublishing] = useState(false);
  const [runId, setRunId] = useState<string | null>(null);
  const [runError, setRunError] = useState<string | null>(null);

  const nodeTypes = useQuery(trpc.studio.nodeTypes.queryOptions());
  const checkedDefinition = useDebounced(definition, 300);
  const inspection = useQuery({
    ...trpc.studio.inspect.queryOptions({ workspaceId, definition: checkedDefinition }),
    placeholderData: keepPreviousData,
  });
  const secrets = useQuery({ ...trpc.secrets.list.queryOptions({ workspaceId }), enabled: canEdit });
  const autosave = useDraftAutosave({
    workspaceId,
    appId,
    definition,
    loadedRevision: props.revision,
    enabled: canEdit,
  });
  const run = useRunStream(runId);
  const startRun = useMutation(trpc.runs.start.mutationOptions());
  const signal = useMutation(trpc.runs.signal.mutationOptions());
  const cancel = useMutation(trpc.runs.cancel.mutationOptions());

  const problems = inspection.data?.problems ?? [];
  const selectedNode = definition.nodes.find((n) => n.id === selectedNodeId) ?? null;
  const typeInfo = useMemo(() => new Map((nodeTypes.data ?? []).map((t) => [t.type, t])), [nodeTypes.data]);

  const references = useMemo(() => {
    if (!selectedNodeId || !inspection.data) return [];
    const titles = new Map(definition.nodes.map((n) => [n.id, n.title || n.id]));
    return (inspection.data.upstream[selectedNodeId] ?? []).flatMap((id) => {
      const fields = inspection.data?.nodes[id]?.outputFields ?? [];
      const title = titles.get(id) ?? id;
      return [
        { label: `${title} (whole output)`, value: `{{${id}}}` },
        ...fields.map((field) => ({ label: `${title} › ${field}`, value: `{{${id}.${field}}}` })),
      ];
    });
  }, [selectedNodeId, inspection.data, definition.nodes]);

  const updateNode = useCallback(
    (next: WorkflowNode) => {
      history.set(
        { ...definition, nodes: definition.nodes.map((n) => (n.id === next.id ? next : n)) },
        { coalesceKey: `node:${next.id}` },
      );
    },
    [definition, history],
  );

  // Leaving with unsaved edits asks first.
  useEffect(() => {
    if (autosave.state.kind === 'saved') return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [autosave.state.kind]);

  const runDraft = async (inputs: Record<string, unknown>) => {
    setRunError(null);
    try {
      await autosave.saveNow();
      const started = await startRun.mutateAsync({ workspaceId, appId, inputs });
      setRunId(started.runId);
      queryClient.invalidateQueries({ queryKey: trpc.runs.list.queryKey() });
    } catch (error) {
      setRunError(error instanceof Error ? error.message : String(error));
    }
  };

  const saveState = autosave.state;
  const canPublish = canEdit && problems.length === 0 && saveState.kind === 'saved' && !inspection.isFetching;

  return (
    <div className="build-editor">
      <div className="build-toolbar row" role="toolbar" aria-label="Draft">
        <span className={`save-state save-${saveState.kind}`} aria-live="polite" data-testid="save-state">
          {saveLabel(saveState)}
        </span>
        {canEdit ? (
          <>
            <button
              type="button"
              className={buttonClass('ghost', true)}
              onClick={history.undo}
              disabled={!history.canUndo}
            >
              Undo
            </button>
            <button
              type="button"
              className={buttonClass('ghost', true)}
              onClick={history.redo}
              disabled={!history.canRedo}
            >
              Redo
            </button>
          </>
        ) : (
          <span className="badge">Read only</span>
        )}
        <span className="spacer" />
        <ExportButtons workspaceId={workspaceId} appId={appId} />
        <span className={`badge${problems.length ? ' badge-danger' : ''}`} data-testid="problem-count">
          {problems.length === 0
            ? 'No problems'
            : `${problems.length} problem${problems.length === 1 ? '' : 's'}`}
        </span>
        {canEdit ? (
          <button
            type="button"
            className={buttonClass('primary', true)}
            disabled={!canPublish}
            title={problems.length ? 'Fix the problems before publishing' : undefined}
            onClick={() => setPublishing(true)}
          >
            Publish…
          </button>
        ) : null}
      </div>
      {saveState.kind === 'conflict' ? (
        <div className="banner" role="alert">
          <p>
            This draft was changed in another tab or by someone else. Your latest edits are not saved, and
            nothing was overwritten.
          </p>
          <div className="row">
            <button
              type="button"
              className={buttonClass('secondary', true)}
              onClick={async () => {
                const stored = await autosave.takeStored();
                history.reset(stored.definition);
              }}
            >
              Load the saved draft
            </button>
            <button
              type="button"
              className={buttonClass('danger', true)}
              onClick={() => void autosave.overwrite()}
            >
              Keep my version
            </button>
          </div>
        </div>
      ) : null}
      {saveState.kind === 'error' ? (
        <div className="banner" role="alert">
          <p>The draft could not be saved: {saveState.message}</p>
          <button
            type="button"
            className={buttonClass('secondary', true)}
            onClick={() => void autosave.saveNow()}
          >
            Try again
          </button>
        </div>
      ) : null}
      {nodeTypes.error ? <ErrorBanner error={nodeTypes.error} onRetry={() => nodeTypes.refetch()} /> : null}

      <div className="build-layout">
        <div className="build-canvas">
          {nodeTypes.data ? (
            <WorkflowCanvas
              definition={definition}
              nodeTypes={nodeTypes.data}
              inspection={inspection.data ?? null}
              statuses={runId ? nodeStatuses(run) : undefined}
              readOnly={!canEdit}
              selectedNodeId={selectedNodeId}
              onSelect={setSelectedNodeId}
              onChange={(next) => history.set(next)}
              onUndo={history.undo}
              onRedo={history.redo}
            />
          ) : (
            <p className="muted">Loading node types…</p>
          )}
        </div>
        <aside className="build-side stack" aria-label="Node and test run">
          {selectedNode ? (
            <NodeInspector
              key={selectedNode.id}
              node={selectedNode}
              nodeType={typeInfo.get(selectedNode.type)}
              onChange={updateNode}
              references={references}
              secretNames={(secrets.data ?? []).map((s) => s.name)}
              problems={problems
                .filter((p) => p.nodeId === selectedNode.id)
                .map((p) => ({ path: nodeRelative(p.path), message: p.message }))}
              readOnly={!canEdit}
              onClose={() => setSelectedNodeId(null)}
            />
          ) : (
            <p className="muted">Select a node to edit it, or drag one in from the palette.</p>
          )}
          <TestRunPanel
            kind={props.kind}
            definition={definition}
            run={run}
            canRun={canEdit}
            busy={startRun.isPending}
            error={runError}
            onRun={(inputs) => void runDraft(inputs)}
            onDecide={(name, decision) =>
              signal.mutate({ workspaceId, runId: run.runId ?? '', name, payload: { decision } })
            }
            onCancel={() => cancel.mutate({ workspaceId, runId: run.runId ?? '' })}
            selectedNodeId={selectedNodeId}
            onSelectNode={setSelectedNodeId}
          />
        </aside>
      </div>

      <section className="problems-panel" aria-labelledby="problems-title">
        <h2 id="problems-title" className="panel-title">
          Problems
        </h2>
        {problems.length === 0 ? (
          <p className="muted">The draft is valid.</p>
        ) : (
          <ul className="problem-list">
            {problems.map((problem, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: problems have no identity of their own
              <li key={i}>
                {problem.nodeId ? (
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => setSelectedNodeId(problem.nodeId ?? null)}
                  >
                    {definition.nodes.find((n) => n.id === problem.nodeId)?.title || problem.nodeId}
                  </button>
                ) : null}{' '}
                {problem.message}
              </li>
            ))}
          </ul>
        )}
      </section>

      {publishing ? (
        <PublishDialog workspaceId={workspaceId} appId={appId} onClose={() => setPublishing(false)} />
      ) : null}
    </div>
  );
}
