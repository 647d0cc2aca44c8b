// What the canvas does on behalf of the builder — add a node, connect, delete, copy, paste, lay out —
// each turned into one new definition handed to onChange (so each is one undo step). The callbacks
// are stable and read the latest props through a ref, so React Flow and the palette never re-render
// because of them.
'use client';

import { type Connection, type Edge, useReactFlow, useStoreApi } from '@xyflow/react';
import { type RefObject, useLayoutEffect, useMemo, useRef } from 'react';
import type { WorkflowDefinition } from '@/workflows/dsl/definition';
import type { DefinitionInspection, NodeTypeInfo } from '@/workflows/dsl/inspection-types';
import { autoLayout } from './auto-layout';
import {
  type ContainerRect,
  clampIntoContainer,
  containerAt,
  freeSpotNear,
  NODE_HEIGHT_ESTIMATE,
  NODE_WIDTH,
  PASTE_OFFSET,
  type Point,
  sizeOrEstimate,
} from './canvas-geometry';
import { type ClipboardContent, copyNodes, pasteNodes } from './clipboard';
import { connect, isValidConnection } from './connection-rules';
import { addNode, removeElements } from './definition-edits';
import type { FlowEdge, FlowNode } from './flow-conversion';

export interface CanvasCommandContext {
  definition: WorkflowDefinition;
  types: ReadonlyMap<string, NodeTypeInfo>;
  inspection: DefinitionInspection | null;
  readOnly: boolean;
  selectedNodeId: string | null;
  nodes: FlowNode[];
  edges: FlowEdge[];
  onChange(next: WorkflowDefinition): void;
  onSelect(nodeId: string | null): void;
  /** Selects several nodes once the definition holding them arrives. */
  selectNodes(ids: string[]): void;
  /** A short message for screen readers (the canvas has a polite live region). */
  announce(message: string): void;
}

// One clipboard for every canvas on the page, so nodes can be copied from one app to another.
let clipboard: { content: ClipboardContent; pastes: number } | null = null;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function useCanvasCommands(context: CanvasCommandContext, paneRef: RefObject<HTMLElement | null>) {
  const ref = useRef(context);
  useLayoutEffect(() => {
    ref.current = context;
  });
  const flow = useReactFlow<FlowNode, FlowEdge>();
  const store = useStoreApi<FlowNode, FlowEdge>();

  return useMemo(() => {
    /** Absolute rectangles of the loops on the canvas, for dropping nodes into them. */
    const containers = (): ContainerRect[] =>
      ref.current.nodes.flatMap((node) => {
        if (node.type !== 'loop') return [];
        const internal = flow.getInternalNode(node.id);
        if (!internal) return [];
        const { x, y } = internal.internals.positionAbsolute;
        const width = node.width ?? internal.measured.width ?? 0;
        const height = node.height ?? internal.measured.height ?? 0;
        return [{ id: node.id, x, y, width, height }];
      });

    const viewCentre = (): Point => {
      const rect = paneRef.current?.getBoundingClientRect();
      const screen = rect
        ? { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 }
        : { x: window.innerWidth / 2, y: window.innerHeight / 2 };
      return flow.screenToFlowPosition(screen);
    };

    return {
      /** Adds a node of `type` where it was dropped (into the loop under it), or at the view's centre. */
      addNode(type: string, dropAt?: Point) {
        const c = ref.current;
        const info = c.types.get(type);
        if (c.readOnly || !info) return;
        const point = dropAt ? flow.screenToFlowPosition(dropAt) : viewCentre();
        // Centred on the point, as far as the card's size is known before it renders.
        let position: Point = { x: point.x - NODE_WIDTH / 2, y: point.y - NODE_HEIGHT_ESTIMATE / 2 };
        const loop = dropAt ? containerAt(point, containers()) : undefined;
        if (loop) {
          position = clampIntoContainer({ x: position.x - loop.x, y: position.y - loop.y });
        } else {
          const taken = c.nodes
            .filter((n) => n.parentId === undefined)
            .map((n) => ({
              ...n.position,
              ...sizeOrEstimate({ width: n.width, height: n.height, ...n.measured }),
            }));
          position = freeSpotNear(position, { width: NODE_WIDTH, height: NODE_HEIGHT_ESTIMATE }, taken);
        }
        const added = addNode(c.definition, info, position, loop?.id);
        c.onChange(added.definition);
        c.onSelect(added.id);
        c.announce(`Added ${info.title} node ${added.id}${loop ? ` inside ${loop.id}` : ''}.`);
      },

      connect(connection: Connection) {
        const c = ref.current;
        if (c.readOnly) return;
        const next = connect(c.definition, c.inspection, connection);
        if (next !== c.definition) c.onChange(next);
      },

      isValidConnection(connection: Connection | Edge): boolean {
        const c = ref.current;
        return !c.readOnly && isValidConnection(c.definition, c.inspection, connection);
      },

      deleteSelection(): boolean {
        const c = ref.current;
        const nodeIds = c.nodes.filter((n) => n.selected).map((n) => n.id);
        const edgeIds = c.edges.filter((e) => e.selected).map((e) => e.id);
        if (c.readOnly || (nodeIds.length === 0 && edgeIds.length === 0)) return false;
        const next = removeElements(c.definition, nodeIds, edgeIds);
        if (next === c.definition) {
          c.announce('The start node cannot be deleted.');
          return true;
        }
        c.onChange(next);
        if (c.selectedNodeId !== null && !next.nodes.some((n) => n.id === c.selectedNodeId)) c.onSelect(null);
        const nodes = c.definition.nodes.length - next.nodes.length;
        const edges = c.definition.edges.length - next.edges.length;
        c.announce(`Deleted ${plural(nodes, 'node')} and ${plural(edges, 'edge')}.`);
        return true;
      },

      copySelection(): boolean {
        const c = ref.current;
        const content = copyNodes(
          c.definition,
          c.nodes.filter((n) => n.selected).map((n) => n.id),
        );
        if (!content) return false;
        clipboard = { content, pastes: 0 };
        c.announce(`Copied ${plural(content.nodes.length, 'node')}.`);
        return true;
      },

      paste(): boolean {
        const c = ref.current;
        if (c.readOnly || !clipboard) return false;
        clipboard.pastes += 1;
        const offset = PASTE_OFFSET * clipboard.pastes;
        const pasted = pasteNodes(c.definition, clipboard.content, { x: offset, y: offset });
        c.onChange(pasted.definition);
        c.selectNodes(pasted.ids);
        c.onSelect(pasted.ids[0] ?? null);
        c.announce(`Pasted ${plural(pasted.ids.length, 'node')}.`);
        return true;
      },

      selectAll(): boolean {
        const ids = ref.current.nodes.map((n) => n.id);
        if (ids.length === 0) return false;
        store.getState().addSelectedNodes(ids);
        return true;
      },

      clearSelection(): boolean {
        const { nodes, edges } = ref.current;
        if (!nodes.some((n) => n.selected) && !edges.some((e) => e.selected)) return false;
        store.getState().unselectNodesAndEdges();
        return true;
      },

      layout() {
        const c = ref.current;
        if (c.readOnly) return;
        const measured = new Map(c.nodes.map((n) => [n.id, n.measured]));
        const next = autoLayout(c.definition, c.types, measured);
        if (next !== c.definition) c.onChange(next);
        c.announce('Arranged the nodes from left to right.');
        // Once the new positions are rendered, bring the whole graph into view.
        window.setTimeout(() => void flow.fitView({ padding: 0.15, duration: 250 }), 50);
      },
    };
  }, [flow, store, paneRef]);
}
