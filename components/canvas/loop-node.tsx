// A loop (any container node type) renders as a group its body's nodes sit inside: React Flow draws
// the children as sub-flow nodes positioned relative to it. Selected, it can be resized by hand,
// never smaller than its children need (the canvas keeps the size; see use-flow-elements.ts).
'use client';

import { type NodeProps, NodeResizer, useStore } from '@xyflow/react';
import { memo } from 'react';
import type { FlowNode } from './flow-conversion';
import { InputHandles, NodeHeader, nodeStateClasses, OutputHandles, useHandleRefresh } from './node-parts';

export const LoopNode = memo(function LoopNode({ id, data, selected }: NodeProps<FlowNode>) {
  // Read-only canvases make nodes undraggable; resizing follows suit.
  const editable = useStore((state) => state.nodesDraggable);
  useHandleRefresh(id, data);
  return (
    <>
      <NodeResizer
        isVisible={selected && editable}
        minWidth={data.minWidth}
        minHeight={data.minHeight}
        lineClassName="wf-resize-line"
        handleClassName="wf-resize-handle"
      />
      <div className={`wf-loop ${nodeStateClasses(data, selected)}`}>
        <InputHandles handles={data.inputHandles} />
        <div className="wf-loop-header">
          <NodeHeader data={data} />
          {data.summary ? (
            <p className="wf-node-summary" title={data.summary}>
              {data.summary}
            </p>
          ) : null}
        </div>
        <OutputHandles handles={data.outputHandles} />
      </div>
    </>
  );
});
