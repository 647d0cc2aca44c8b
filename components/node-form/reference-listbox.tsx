// The list of references a text field offers, as an ARIA listbox. Focus stays in the field (or the
// picker's filter) that owns it: that element moves aria-activedescendant over the options, and
// options are picked on mousedown so the field never loses focus.
'use client';

import { useEffect } from 'react';
import type { ReferenceOption } from './reference-trigger';

export function optionId(listId: string, index: number): string {
  return `${listId}-option-${index}`;
}

interface ReferenceListboxProps {
  id: string;
  /** Accessible name of the list, e.g. "Variables". */
  label: string;
  options: ReferenceOption[];
  activeIndex: number;
  hidden?: boolean;
  onPick(option: ReferenceOption): void;
  onActivate(index: number): void;
}

export function ReferenceListbox({
  id,
  label,
  options,
  activeIndex,
  hidden,
  onPick,
  onActivate,
}: ReferenceListboxProps) {
  useEffect(() => {
    if (hidden) return;
    document.getElementById(optionId(id, activeIndex))?.scrollIntoView?.({ block: 'nearest' });
  }, [id, activeIndex, hidden]);

  return (
    // Not a <select>: suggestions float under a text field that keeps focus (aria-activedescendant).
    <div
      id={id}
      role="listbox"
      aria-label={label}
      className="nf-listbox"
      hidden={hidden || options.length === 0}
    >
      {options.map((option, index) => (
        <div
          key={option.value}
          id={optionId(id, index)}
          role="option"
          aria-selected={index === activeIndex}
          // Focusable only by script, as options of an activedescendant listbox are; never tabbed to.
          tabIndex={-1}
          className="nf-option"
          onMouseDown={(event) => {
            event.preventDefault();
            onPick(option);
          }}
          onMouseMove={() => {
            if (index !== activeIndex) onActivate(index);
          }}
        >
          <span className="nf-option-label">{option.label}</span>
          <code className="nf-option-value">{option.value}</code>
        </div>
      ))}
    </div>
  );
}
