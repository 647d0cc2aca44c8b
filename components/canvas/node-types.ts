// React Flow's registry of the canvas's node components. Declared once at module scope: a new
// object on every render would make React Flow remount every node.
import type { NodeTypes } from '@xyflow/react';
import { LoopNode } from './loop-node';
import { StepNode } from './step-node';

export const nodeTypes = {
  step: StepNode,
  loop: LoopNode,
} satisfies NodeTypes;
