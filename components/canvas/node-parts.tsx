// Pieces shared by the step card and the loop container: the header (icon, title, type, badges),
// the connection handles (one target handle per input on the left, one source handle per output on
// the right, named ones labelled, the error branch in red), and keeping React Flow's idea of where
// the handles are in step with the handles the server inspected.
'use client';

import { Handle, Position, useUpdateNodeInternals } from '@xyflow/react';
import { memo, useEffect, useRef } from 'react';
import { ERROR_HANDLE } from '@/workflows/dsl/definition';
import type { NodeRunStatus } from '@/workflows/dsl/inspection-types';
import type { FlowNodeData } from './flow-conversion';
import { NodeIcon } from './node-icon';

const STATUS_TEXT: Record<NodeRunStatus, string> = {
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  skipped: 'Skipped',
  paused: 'Waiting',
};

/** Class names for a node's run status and problems (the outline colours live in globals.css). */
export function nodeStateClasses(data: FlowNodeData, selected: boolean): string {
  return [
    data.status ? `wf-status-${data.status}` : '',
    data.problemCount > 0 ? 'wf-has-problems' : '',
    selected ? 'wf-selected' : '',
  ]
    .filter(Boolean)
    .join(' ');
}

export const NodeHeader = memo(function NodeHeader({ data }: { data: FlowNodeData }) {
  const problems = data.problemCount;
  return (
    <div className="wf-node-header">
      <NodeIcon icon={data.icon} type={data.type} />
      <div className="wf-node-titles">
        <span className="wf-node-title">{data.title}</span>
        <span className="wf-node-type">{data.typeTitle}</span>
      </div>
      <div className="wf-node-badges">
        {problems > 0 ? (
          <span
            className="wf-badge wf-badge-problems"
            role="img"
            aria-label={`${problems} problem${problems === 1 ? '' : 's'}`}
          >
            <span aria-hidden="true">⚠ {problems}</span>
          </span>
        ) : null}
        {data.status ? (
          <span className={`wf-badge wf-badge-${data.status}`}>
            <span className="sr-only">Status: </span>
            {STATUS_TEXT[data.status]}
          </span>
        ) : null}
      </div>
    </div>
  );
});

const handleKey = (handles: (string | null)[]) => handles.map((h) => h ?? '∅').join('|');

/**
 * Re-measures the node's handles when they change (e.g. a condition case is added or renamed):
 * React Flow only measures handles on mount and resize, and a renamed handle keeps the size.
 */
export function useHandleRefresh(id: string, data: FlowNodeData): void {
  const updateNodeInternals = useUpdateNodeInternals();
  const key = `${handleKey(data.inputHandles)}>${handleKey(data.outputHandles)}`;
  const measuredKey = useRef(key);
  useEffect(() => {
    if (measuredKey.current === key) return;
    measuredKey.current = key;
    updateNodeInternals(id);
  }, [id, key, updateNodeInternals]);
}

function portLabel(handle: string | null, all: (string | null)[]): string {
  if (handle !== null) return handle;
  return all.length > 1 ? 'next' : '';
}

/** Target handles on the left: a single default one at mid-height, or a labelled row per input. */
export const InputHandles = memo(function InputHandles({ handles }: { handles: (string | null)[] }) {
  if (handles.length === 0) return null;
  if (handles.length === 1 && handles[0] === null) return <Handle type="target" position={Position.Left} />;
  return (
    <div className="wf-ports wf-ports-in">
      {handles.map((handle) => (
        <div key={handle ?? '∅'} className="wf-port">
          <Handle type="target" position={Position.Left} id={handle} />
          <span className="wf-port-label">{portLabel(handle, handles)}</span>
        </div>
      ))}
    </div>
  );
});

/** Source handles on the right: a single default one at mid-height, or a labelled row per output. */
export const OutputHandles = memo(function OutputHandles({ handles }: { handles: (string | null)[] }) {
  if (handles.length === 0) return null;
  if (handles.length === 1 && handles[0] === null) return <Handle type="source" position={Position.Right} />;
  return (
    <div className="wf-ports wf-ports-out">
      {handles.map((handle) => {
        const error = handle === ERROR_HANDLE;
        return (
          <div key={handle ?? '∅'} className={`wf-port${error ? ' wf-port-error' : ''}`}>
            <span className="wf-port-label">{portLabel(handle, handles)}</span>
            <Handle
              type="source"
              position={Position.Right}
              id={handle}
              className={error ? 'wf-handle-error' : undefined}
            />
          </div>
        );
      })}
    </div>
  );
});
