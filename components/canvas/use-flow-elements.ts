// The nodes and edges React Flow renders, kept in step with the controlled definition. React Flow
// needs its own copy to apply what the pointer does between edits (live drag positions, selection,
// measured sizes); the definition only learns the result when a gesture ends (a drag stops, a loop
// resize ends, an arrow key moves a node), so a drag never re-renders the rest of the studio.
'use client';

import { applyEdgeChanges, applyNodeChanges, type EdgeChange, type NodeChange } from '@xyflow/react';
import { useCallback, useLayoutEffect, useRef, useState } from 'react';
import type { WorkflowDefinition } from '@/workflows/dsl/definition';
import type { DefinitionInspection, NodeRunStatus, NodeTypeInfo } from '@/workflows/dsl/inspection-types';
import type { Point, Size } from './canvas-geometry';
import { type FlowEdge, type FlowNode, toFlowEdges, toFlowNodes } from './flow-conversion';

export interface FlowSource {
  definition: WorkflowDefinition;
  types: ReadonlyMap<string, NodeTypeInfo>;
  inspection: DefinitionInspection | null;
  statuses: Readonly<Record<string, NodeRunStatus>> | undefined;
  loopSizes: Readonly<Record<string, Size>>;
  /** The parent's selection; when it changes, the canvas selects that node. */
  selectedNodeId: string | null;
  /** Nodes to select once they exist (e.g. just pasted); a new array asks again. */
  pendingSelection: readonly string[] | null;
}

export interface FlowGestures {
  /** Positions a gesture ended with (relative to the parent loop, as in the definition). */
  onMoved(positions: Map<string, Point>): void;
  /** A loop was resized by hand to this size. */
  onLoopResized(id: string, size: Size): void;
}

interface FlowState {
  source: FlowSource;
  nodes: FlowNode[];
  edges: FlowEdge[];
}

function sameStatuses(a: FlowSource['statuses'], b: FlowSource['statuses']): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function sameSource(a: FlowSource, b: FlowSource): boolean {
  return (
    a.definition === b.definition &&
    a.types === b.types &&
    a.inspection === b.inspection &&
    a.loopSizes === b.loopSizes &&
    a.selectedNodeId === b.selectedNodeId &&
    a.pendingSelection === b.pendingSelection &&
    sameStatuses(a.statuses, b.statuses)
  );
}

/** Which nodes to select after the source changed, or null to keep the canvas's own selection. */
function selectionFor(source: FlowSource, before: FlowSource | null, nodes: FlowNode[]): Set<string> | null {
  if (!before) return new Set(source.selectedNodeId ? [source.selectedNodeId] : []);
  if (source.pendingSelection && source.pendingSelection !== before.pendingSelection) {
    return new Set(source.pendingSelection);
  }
  if (source.selectedNodeId === before.selectedNodeId) return null;
  if (source.selectedNodeId === null) return new Set();
  // Already among the selected (the canvas reported it itself): keep a multiple selection.
  const id = source.selectedNodeId;
  return nodes.some((n) => n.id === id && n.selected) ? null : new Set([id]);
}

function derive(source: FlowSource, before: FlowState | null): FlowState {
  const previousNodes = before?.nodes ?? [];
  const selection = selectionFor(source, before?.source ?? null, previousNodes);
  return {
    source,
    nodes: toFlowNodes({ ...source, selection }, previousNodes),
    edges: toFlowEdges(source.definition, before?.edges ?? []),
  };
}

export function useFlowElements(source: FlowSource, gestures: FlowGestures) {
  const [state, setState] = useState<FlowState>(() => derive(source, null));
  let current = state;
  if (!sameSource(state.source, source)) {
    // Adjusting state while rendering (React's pattern for state derived from props): the new
    // elements are ready in this render, with no frame showing stale nodes.
    current = derive(source, state);
    setState(current);
  }

  const gesturesRef = useRef(gestures);
  useLayoutEffect(() => {
    gesturesRef.current = gestures;
  });
  // Positions set while a loop is resized from its top or left edge (the loop and, to keep them in
  // place, its children) arrive without a drag flag; they are committed when the resize ends.
  const resizeMoves = useRef(new Map<string, Point>());

  const onNodesChange = useCallback((changes: NodeChange<FlowNode>[]) => {
    let childMeasured = false;
    const moved = new Map<string, Point>();
    for (const change of changes) {
      if (change.type === 'position' && change.position) {
        if (change.dragging === false) moved.set(change.id, change.position);
        else if (change.dragging === undefined) resizeMoves.current.set(change.id, change.position);
      } else if (change.type === 'dimensions' && change.dimensions) {
        if (change.resizing === false) {
          gesturesRef.current.onLoopResized(change.id, change.dimensions);
          for (const [id, position] of resizeMoves.current) moved.set(id, position);
          resizeMoves.current.clear();
        } else if (change.resizing === undefined) {
          childMeasured = true;
        }
      }
    }
    setState((s) => {
      let nodes = applyNodeChanges(changes, s.nodes);
      // A loop is sized from its children's measured sizes, so a child's first measurement (or a
      // longer summary) may make its loop grow.
      if (childMeasured && nodes.some((n) => n.parentId !== undefined)) {
        nodes = toFlowNodes({ ...s.source, selection: null }, nodes);
      }
      return { ...s, nodes };
    });
    if (moved.size > 0) gesturesRef.current.onMoved(moved);
  }, []);

  const onEdgesChange = useCallback((changes: EdgeChange<FlowEdge>[]) => {
    // Only selection happens here: removals go through the definition (see the canvas's delete).
    setState((s) => ({ ...s, edges: applyEdgeChanges(changes, s.edges) }));
  }, []);

  return { nodes: current.nodes, edges: current.edges, onNodesChange, onEdgesChange };
}
