// The card every non-container node renders as: header with icon, title, type, problem count and
// run status, the one-line summary the server computed from its config, and its handles.
'use client';

import type { NodeProps } from '@xyflow/react';
import { memo } from 'react';
import type { FlowNode } from './flow-conversion';
import { InputHandles, NodeHeader, nodeStateClasses, OutputHandles, useHandleRefresh } from './node-parts';

export const StepNode = memo(function StepNode({ id, data, selected }: NodeProps<FlowNode>) {
  useHandleRefresh(id, data);
  return (
    <div className={`wf-node ${nodeStateClasses(data, selected)}`}>
      <InputHandles handles={data.inputHandles} />
      <NodeHeader data={data} />
      {data.summary ? (
        <p className="wf-node-summary" title={data.summary}>
          {data.summary}
        </p>
      ) : null}
      <OutputHandles handles={data.outputHandles} />
    </div>
  );
});
