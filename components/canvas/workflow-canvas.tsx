// The workflow canvas of the Build tab: a controlled React Flow view of a definition with the node
// palette on its left. It renders `definition` and reports every edit as a new definition through
// onChange (add, connect, delete, move, paste, auto-layout), selection through onSelect, and undo /
// redo shortcuts through onUndo / onRedo; the parent owns the state and its history. It fills its
// container, which must have a height.
'use client';

import '@xyflow/react/dist/style.css';
import {
  Background,
  Controls,
  type DefaultEdgeOptions,
  type FitViewOptions,
  type MarkerType,
  MiniMap,
  type OnSelectionChangeFunc,
  Panel,
  ReactFlow,
  ReactFlowProvider,
} from '@xyflow/react';
import { type DragEvent, useCallback, useMemo, useRef, useState } from 'react';
import { buttonClass } from '@/components/ui/button';
import type { WorkflowDefinition } from '@/workflows/dsl/definition';
import type { DefinitionInspection, NodeRunStatus, NodeTypeInfo } from '@/workflows/dsl/inspection-types';
import type { Point, Size } from './canvas-geometry';
import { moveNodes } from './definition-edits';
import type { FlowEdge, FlowNode } from './flow-conversion';
import { NodePalette, PALETTE_DRAG_TYPE } from './node-palette';
import { nodeTypes } from './node-types';
import { useCanvasCommands } from './use-canvas-commands';
import { useCanvasShortcuts } from './use-canvas-shortcuts';
import { useFlowElements } from './use-flow-elements';

export interface WorkflowCanvasProps {
  definition: WorkflowDefinition;
  nodeTypes: NodeTypeInfo[];
  inspection: DefinitionInspection | null;
  statuses?: Record<string, NodeRunStatus>;
  /** No editing; panning, zooming and selecting still work. */
  readOnly?: boolean;
  selectedNodeId: string | null;
  onSelect(nodeId: string | null): void;
  onChange(next: WorkflowDefinition): void;
  onUndo?(): void;
  onRedo?(): void;
  className?: string;
}

// Module scope, so React Flow sees the same objects on every render.
const FIT_VIEW_OPTIONS: FitViewOptions = { padding: 0.15, maxZoom: 1 };
const DEFAULT_EDGE_OPTIONS: DefaultEdgeOptions = { markerEnd: { type: 'arrowclosed' as MarkerType } };
const STATUS_COLOURS: Record<NodeRunStatus, string> = {
  running: '#4f46e5',
  succeeded: '#1f7a4d',
  failed: '#c8322b',
  skipped: '#9aa3af',
  paused: '#b45309',
};
const miniMapColour = (node: FlowNode) =>
  node.data.status ? STATUS_COLOURS[node.data.status] : node.type === 'loop' ? '#eef0ff' : '#c9ced6';
const NO_LOOP_SIZES: Record<string, Size> = {};

export function WorkflowCanvas(props: WorkflowCanvasProps) {
  return (
    <ReactFlowProvider>
      <CanvasBody {...props} />
    </ReactFlowProvider>
  );
}

function CanvasBody(props: WorkflowCanvasProps) {
  const { definition, inspection, statuses, selectedNodeId, onChange, onSelect, onUndo, onRedo } = props;
  const readOnly = props.readOnly ?? false;
  const catalog = props.nodeTypes;
  const types = useMemo(() => new Map(catalog.map((t) => [t.type, t])), [catalog]);
  const rootRef = useRef<HTMLDivElement>(null);
  const paneRef = useRef<HTMLDivElement>(null);
  // Loop sizes set by hand are kept for the session: the definition has no field for them, and a
  // loop is drawn at least as large as its children need anyway.
  const [loopSizes, setLoopSizes] = useState(NO_LOOP_SIZES);
  const [pendingSelection, setPendingSelection] = useState<string[] | null>(null);
  const [announcement, setAnnouncement] = useState('');

  const latest = useRef({ definition, onChange });
  latest.current = { definition, onChange };
  const gestures = useMemo(
    () => ({
      onMoved(positions: Map<string, Point>) {
        const { definition: current, onChange: commit } = latest.current;
        const next = moveNodes(current, positions);
        if (next !== current) commit(next);
      },
      onLoopResized(id: string, size: Size) {
        setLoopSizes((sizes) => ({ ...sizes, [id]: { width: size.width, height: size.height } }));
      },
    }),
    [],
  );

  const { nodes, edges, onNodesChange, onEdgesChange } = useFlowElements(
    { definition, types, inspection, statuses, loopSizes, selectedNodeId, pendingSelection },
    gestures,
  );

  const commands = useCanvasCommands(
    {
      definition,
      types,
      inspection,
      readOnly,
      selectedNodeId,
      nodes,
      edges,
      onChange,
      onSelect,
      selectNodes: setPendingSelection,
      announce: setAnnouncement,
    },
    paneRef,
  );

  useCanvasShortcuts(
    rootRef,
    {
      deleteSelection: commands.deleteSelection,
      copySelection: commands.copySelection,
      paste: commands.paste,
      selectAll: commands.selectAll,
      clearSelection: commands.clearSelection,
      undo: onUndo,
      redo: onRedo,
    },
    readOnly,
  );

  // React Flow reports every selection change; the parent hears about one node: the one it already
  // shows if it is still selected, else the first selected, or none.
  const selectedRef = useRef(selectedNodeId);
  selectedRef.current = selectedNodeId;
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;
  const onSelectionChange = useCallback<OnSelectionChangeFunc<FlowNode, FlowEdge>>(({ nodes: selected }) => {
    const current = selectedRef.current;
    const ids = selected.map((n) => n.id);
    const next =
      ids.length === 0 ? null : current !== null && ids.includes(current) ? current : (ids[0] ?? null);
    if (next !== current) onSelectRef.current(next);
  }, []);

  const onDragOver = useCallback(
    (event: DragEvent<HTMLDivElement>) => {
      if (readOnly || !event.dataTransfer.types.includes(PALETTE_DRAG_TYPE)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
    },
    [readOnly],
  );
  const onDrop = useCallback(
    (event: DragEvent<HTMLDivElement>) => {
      const type = event.dataTransfer.getData(PALETTE_DRAG_TYPE);
      if (readOnly || !type) return;
      event.preventDefault();
      commands.addNode(type, { x: event.clientX, y: event.clientY });
    },
    [readOnly, commands],
  );

  const onAdd = useCallback((type: string) => commands.addNode(type), [commands]);
  // One start node per workflow: the palette offers it only while there is none.
  const paletteTypes = useMemo(() => {
    const hasStart = definition.nodes.some((n) => n.type === 'start');
    return hasStart ? catalog.filter((t) => t.type !== 'start') : catalog;
  }, [catalog, definition.nodes]);

  return (
    <div ref={rootRef} className={['wf-canvas', props.className].filter(Boolean).join(' ')}>
      {readOnly ? null : <NodePalette nodeTypes={paletteTypes} onAdd={onAdd} />}
      <div ref={paneRef} className="wf-canvas-flow">
        <ReactFlow<FlowNode, FlowEdge>
          aria-label={readOnly ? 'Workflow canvas (read only)' : 'Workflow canvas'}
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onConnect={commands.connect}
          isValidConnection={commands.isValidConnection}
          onSelectionChange={onSelectionChange}
          onDragOver={onDragOver}
          onDrop={onDrop}
          nodesDraggable={!readOnly}
          nodesConnectable={!readOnly}
          edgesReconnectable={false}
          // A selected loop raised above everything would hide the nodes its body overlaps.
          elevateNodesOnSelect={false}
          // Deleting goes through useCanvasShortcuts, which only listens while the canvas is in use.
          deleteKeyCode={null}
          defaultEdgeOptions={DEFAULT_EDGE_OPTIONS}
          fitView
          fitViewOptions={FIT_VIEW_OPTIONS}
          minZoom={0.1}
          maxZoom={2}
          colorMode="light"
        >
          <Background gap={16} />
          <Controls showInteractive={false} fitViewOptions={FIT_VIEW_OPTIONS} />
          <MiniMap<FlowNode> pannable zoomable ariaLabel="Minimap" nodeColor={miniMapColour} />
          {readOnly ? null : (
            <Panel position="top-right">
              <button
                type="button"
                className={`${buttonClass('secondary', true)} wf-canvas-tool`}
                onClick={commands.layout}
                title="Arrange the nodes from left to right"
              >
                Auto layout
              </button>
            </Panel>
          )}
          {definition.nodes.length === 0 ? (
            <Panel position="top-center" className="wf-canvas-empty">
              {readOnly
                ? 'This workflow has no nodes.'
                : 'Drag a node here from the palette, or select one and press Enter.'}
            </Panel>
          ) : null}
        </ReactFlow>
      </div>
      <p className="sr-only" role="status" aria-live="polite">
        {announcement}
      </p>
    </div>
  );
}
