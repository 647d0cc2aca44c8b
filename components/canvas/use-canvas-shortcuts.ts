// Keyboard shortcuts of the canvas: Delete / Backspace, Ctrl/Cmd+C / V, Ctrl/Cmd+A, Escape,
// Ctrl/Cmd+Z, Shift+Ctrl/Cmd+Z and Ctrl/Cmd+Y. They apply only while the canvas is in use (focus
// inside it, or nothing focused after a click on its pane) and never while typing in a field, so
// the node form beside the canvas keeps its own undo and Backspace.
'use client';

import { type RefObject, useEffect, useLayoutEffect, useRef } from 'react';

export interface CanvasShortcutHandlers {
  /** Each returns whether it did something; only then is the browser's default prevented. */
  deleteSelection(): boolean;
  copySelection(): boolean;
  paste(): boolean;
  selectAll(): boolean;
  clearSelection(): boolean;
  undo?(): void;
  redo?(): void;
}

function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  return (
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement
  );
}

function hasTextSelection(): boolean {
  const selection = window.getSelection();
  return selection !== null && !selection.isCollapsed && selection.toString().trim() !== '';
}

export function useCanvasShortcuts(
  rootRef: RefObject<HTMLElement | null>,
  handlers: CanvasShortcutHandlers,
  readOnly: boolean,
): void {
  const handlersRef = useRef(handlers);
  useLayoutEffect(() => {
    handlersRef.current = handlers;
  });

  useEffect(() => {
    // Clicking the pane focuses nothing (it is not focusable), so remember where the last click was.
    let pointerInside = false;
    const onPointerDown = (event: PointerEvent) => {
      pointerInside =
        !!rootRef.current && event.target instanceof Node && rootRef.current.contains(event.target);
    };
    const onKeyDown = (event: KeyboardEvent) => {
      const root = rootRef.current;
      if (!root || event.defaultPrevented || event.altKey || isEditable(event.target)) return;
      const focus = document.activeElement;
      const idle = focus === null || focus === document.body;
      if (!(focus && root.contains(focus)) && !(idle && pointerInside)) return;

      const h = handlersRef.current;
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      let handled = false;
      if (!mod && (key === 'delete' || key === 'backspace')) {
        handled = !readOnly && h.deleteSelection();
      } else if (!mod && key === 'escape') {
        handled = h.clearSelection();
      } else if (mod && key === 'c' && !event.shiftKey) {
        // Text selected on the page (e.g. a node summary) copies as text, as usual.
        handled = !hasTextSelection() && h.copySelection();
      } else if (mod && key === 'v' && !event.shiftKey) {
        handled = !readOnly && h.paste();
      } else if (mod && key === 'a' && !event.shiftKey) {
        handled = h.selectAll();
      } else if (mod && key === 'z' && !readOnly) {
        const run = event.shiftKey ? h.redo : h.undo;
        if (run) {
          run();
          handled = true;
        }
      } else if (mod && key === 'y' && !event.shiftKey && !readOnly && h.redo) {
        h.redo();
        handled = true;
      }
      if (handled) event.preventDefault();
    };
    document.addEventListener('pointerdown', onPointerDown, true);
    document.addEventListener('keydown', onKeyDown);
    return () => {
      document.removeEventListener('pointerdown', onPointerDown, true);
      document.removeEventListener('keydown', onKeyDown);
    };
  }, [rootRef, readOnly]);
}
