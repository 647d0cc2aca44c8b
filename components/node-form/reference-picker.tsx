// The popover behind a text field's "Insert variable" and "Secret" buttons: a filter box (an ARIA
// combobox) over the same listbox the `{{` autocomplete shows, for people who would rather click
// than type braces. Enter or a click inserts; Escape closes and gives focus back to the button.
'use client';

import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { optionId, ReferenceListbox } from './reference-listbox';
import { filterReferences, type ReferenceOption } from './reference-trigger';
import { partId } from './value-path';

export type PickerDismissal = { reason: 'escape' } | { reason: 'blur'; next: Element | null };

interface ReferencePickerProps {
  id: string;
  /** Names the popover and its list, e.g. "Variables". */
  title: string;
  options: ReferenceOption[];
  /** Shown when there is nothing to offer at all. */
  emptyText: string;
  onPick(option: ReferenceOption): void;
  onDismiss(how: PickerDismissal): void;
}

export function ReferencePicker({ id, title, options, emptyText, onPick, onDismiss }: ReferencePickerProps) {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);
  const filtered = filterReferences(options, query, 200);
  const listId = partId(id, 'list');
  const searchId = partId(id, 'search');
  const activeIndex = Math.min(active, Math.max(0, filtered.length - 1));

  useEffect(() => {
    inputRef.current?.focus();
  }, []);

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    const count = filtered.length;
    if (event.key === 'ArrowDown' && count > 0) {
      event.preventDefault();
      setActive((activeIndex + 1) % count);
    } else if (event.key === 'ArrowUp' && count > 0) {
      event.preventDefault();
      setActive((activeIndex - 1 + count) % count);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      const option = filtered[activeIndex];
      if (option) onPick(option);
    } else if (event.key === 'Escape') {
      // Handled here: an Escape that closes the popover must not also close the panel around it.
      event.preventDefault();
      event.stopPropagation();
      onDismiss({ reason: 'escape' });
    }
  }

  return (
    <div
      className="nf-popover"
      role="dialog"
      aria-label={title}
      onBlur={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget))
          onDismiss({ reason: 'blur', next: event.relatedTarget });
      }}
    >
      <label htmlFor={searchId} className="sr-only">
        Filter {title.toLowerCase()}
      </label>
      <input
        ref={inputRef}
        id={searchId}
        type="text"
        role="combobox"
        autoComplete="off"
        spellCheck={false}
        placeholder={options.length > 0 ? `Filter ${title.toLowerCase()}…` : undefined}
        aria-expanded={filtered.length > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={filtered.length > 0 ? optionId(listId, activeIndex) : undefined}
        value={query}
        onChange={(event) => {
          setQuery(event.target.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
      />
      {filtered.length === 0 ? (
        <p className="hint" role="status">
          {options.length === 0 ? emptyText : 'Nothing matches.'}
        </p>
      ) : null}
      <ReferenceListbox
        id={listId}
        label={title}
        options={filtered}
        activeIndex={activeIndex}
        onPick={onPick}
        onActivate={setActive}
      />
    </div>
  );
}
