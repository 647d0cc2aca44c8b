// The list of node types beside the canvas, grouped by category and filtered by a search box. An
// entry can be dragged onto the canvas (HTML5 drag and drop, the type travelling in dataTransfer)
// or activated with a click, Enter or Space, which adds the node at the centre of the view, so
// building a workflow never requires a mouse.
'use client';

import { type DragEvent, memo, useId, useMemo, useState } from 'react';
import type { NodeCategory, NodeTypeInfo } from '@/workflows/dsl/inspection-types';
import { NodeIcon } from './node-icon';

/** The dataTransfer type a palette drag carries (its value is the node type). */
export const PALETTE_DRAG_TYPE = 'application/x-weft-node-type';

const CATEGORIES: { id: NodeCategory; title: string }[] = [
  { id: 'basic', title: 'Basic' },
  { id: 'ai', title: 'AI' },
  { id: 'logic', title: 'Logic' },
  { id: 'transform', title: 'Transform' },
  { id: 'human', title: 'Human' },
  { id: 'integration', title: 'Integration' },
  { id: 'data', title: 'Data' },
];

export interface NodePaletteProps {
  nodeTypes: NodeTypeInfo[];
  /** Adds a node of this type at the centre of the canvas's view. */
  onAdd(type: string): void;
  className?: string;
}

function matches(info: NodeTypeInfo, query: string): boolean {
  if (!query) return true;
  return [info.title, info.type, info.description].some((text) => text.toLowerCase().includes(query));
}

function onDragStart(event: DragEvent<HTMLButtonElement>, type: string) {
  event.dataTransfer.setData(PALETTE_DRAG_TYPE, type);
  event.dataTransfer.setData('text/plain', type);
  event.dataTransfer.effectAllowed = 'copy';
}

export const NodePalette = memo(function NodePalette({ nodeTypes, onAdd, className }: NodePaletteProps) {
  const [search, setSearch] = useState('');
  const searchId = useId();
  const groupId = useId();
  const query = search.trim().toLowerCase();

  const groups = useMemo(() => {
    const visible = nodeTypes.filter((info) => matches(info, query));
    const known = new Set(CATEGORIES.map((c) => c.id));
    const byCategory = CATEGORIES.map((c) => ({ ...c, types: visible.filter((t) => t.category === c.id) }));
    // A category the palette does not know yet still shows, last.
    const others = visible.filter((t) => !known.has(t.category));
    if (others.length) byCategory.push({ id: 'basic', title: 'Other', types: others });
    return byCategory.filter((g) => g.types.length > 0);
  }, [nodeTypes, query]);

  return (
    <section
      className={['wf-palette', className].filter(Boolean).join(' ')}
      aria-labelledby={`${groupId}-title`}
    >
      <p id={`${groupId}-title`} className="wf-palette-title">
        Nodes
      </p>
      <label htmlFor={searchId} className="sr-only">
        Search node types
      </label>
      <input
        id={searchId}
        type="search"
        className="wf-palette-search"
        placeholder="Search nodes…"
        value={search}
        onChange={(event) => setSearch(event.target.value)}
        autoComplete="off"
      />
      <p className="wf-palette-hint">Drag onto the canvas, or press Enter to add.</p>
      {groups.length === 0 ? (
        <p className="wf-palette-empty" role="status">
          No node type matches “{search.trim()}”.
        </p>
      ) : (
        groups.map((group) => (
          <div key={group.title} className="wf-palette-group">
            <p id={`${groupId}-${group.title}`} className="wf-palette-category">
              {group.title}
            </p>
            <ul className="wf-palette-list" aria-labelledby={`${groupId}-${group.title}`}>
              {group.types.map((info) => (
                <li key={info.type}>
                  <button
                    type="button"
                    className="wf-palette-entry"
                    draggable
                    onDragStart={(event) => onDragStart(event, info.type)}
                    onClick={() => onAdd(info.type)}
                    aria-label={`Add ${info.title} node`}
                    title={info.description}
                    data-node-type={info.type}
                  >
                    <NodeIcon icon={info.icon} type={info.type} />
                    <span className="wf-palette-entry-title">{info.title}</span>
                  </button>
                </li>
              ))}
            </ul>
          </div>
        ))
      )}
    </section>
  );
});
