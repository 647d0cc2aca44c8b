// The text editor of node settings: prompts, templates and code (a textarea) or one-line values
// (an input), with `{{` autocomplete of the references upstream nodes offer, an "Insert variable"
// and a "Secret" button for mouse users, and in code mode Tab indenting by two spaces (Escape, then
// Tab, leaves the field, so keyboard users are never trapped).
//
// ARIA: the one-line input is a combobox over the suggestions listbox. A textarea may not take the
// combobox role (ARIA in HTML; axe flags it), so the multi-line editor is a textbox with
// aria-autocomplete="list", aria-controls and aria-activedescendant: the same keyboard model.
'use client';

import { type KeyboardEvent, type SyntheticEvent, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { optionId, ReferenceListbox } from './reference-listbox';
import { type PickerDismissal, ReferencePicker } from './reference-picker';
import {
  filterReferences,
  findTrigger,
  type ReferenceOption,
  replaceRange,
  secretOptions,
  type Trigger,
} from './reference-trigger';
import { partId } from './value-path';

export type CodeFieldVariant = 'code' | 'prompt' | 'line';

export interface CodeFieldProps {
  id: string;
  value: string;
  onChange(next: string): void;
  references: ReferenceOption[];
  secretNames: string[];
  /** code: monospace, Tab indents; prompt: multi-line text; line: a one-line input. */
  variant?: CodeFieldVariant;
  /** The field's name, completing the buttons' accessible names ("Insert variable into URL"). */
  label?: string;
  /** Show the "Insert variable" button (default: multi-line variants only). */
  showVariables?: boolean;
  /** Show the "Secret" button (default: multi-line variants only). */
  showSecrets?: boolean;
  readOnly?: boolean;
  required?: boolean;
  invalid?: boolean;
  describedBy?: string;
  placeholder?: string;
  rows?: number;
}

type Editable = HTMLTextAreaElement | HTMLInputElement;
type Picker = 'variables' | 'secrets';
const INDENT = '  ';

export function CodeField(props: CodeFieldProps) {
  const { id, value, onChange, references, secretNames, variant = 'prompt', label, readOnly } = props;
  const multiline = variant !== 'line';
  const showVariables = !readOnly && (props.showVariables ?? multiline);
  const showSecrets = !readOnly && (props.showSecrets ?? multiline);

  const fieldRef = useRef<Editable | null>(null);
  const buttonRefs = useRef<Record<Picker, HTMLButtonElement | null>>({ variables: null, secrets: null });
  const [trigger, setTrigger] = useState<Trigger | null>(null);
  const [active, setActive] = useState(0);
  const [picker, setPicker] = useState<Picker | null>(null);
  // Where the `{{` was that Escape dismissed: its popup stays closed until another `{{` is typed.
  const dismissedAt = useRef<number | null>(null);
  // The last selection in the field, where a picker inserts after focus went to its button.
  const selection = useRef({ start: value.length, end: value.length });
  // After Escape in code mode, the next Tab moves focus instead of indenting.
  const tabLeaves = useRef(false);
  const pendingCaret = useRef<number | null>(null);

  const secrets = useMemo(() => secretOptions(secretNames), [secretNames]);
  const suggestions = useMemo(
    () => (trigger ? filterReferences([...references, ...secrets], trigger.query) : []),
    [trigger, references, secrets],
  );
  const open = trigger !== null && suggestions.length > 0 && !readOnly;
  const activeIndex = Math.min(active, Math.max(0, suggestions.length - 1));
  const listId = partId(id, 'suggestions');
  const keysHintId = partId(id, 'keys');

  useLayoutEffect(() => {
    const caret = pendingCaret.current;
    const field = fieldRef.current;
    if (caret === null || !field) return;
    pendingCaret.current = null;
    field.focus();
    field.setSelectionRange(caret, caret);
  });

  function remember(field: Editable) {
    const end = field.selectionEnd ?? field.value.length;
    selection.current = { start: field.selectionStart ?? end, end };
  }

  /** Opens, follows or closes the suggestions for the text and caret now in the field. */
  function track(field: Editable, typing: boolean) {
    const caret = field.selectionStart ?? 0;
    const found = field.selectionEnd === caret ? findTrigger(field.value, caret) : null;
    if (!found) {
      dismissedAt.current = null;
      setTrigger(null);
      return;
    }
    // Moving the caret into an old reference should not pop a list up; typing `{{` should.
    if (dismissedAt.current === found.start || (!typing && trigger === null)) return;
    if (trigger?.start !== found.start || trigger.query !== found.query) setActive(0);
    setTrigger(found);
  }

  /** Replaces [start, end) with text, keeping the browser's undo history where it can. */
  function replace(start: number, end: number, text: string) {
    const field = fieldRef.current;
    if (!field) return;
    field.focus();
    field.setSelectionRange(start, end);
    // execCommand is deprecated but is still the only way to edit a field that undo understands;
    // it fires a normal input event, so onChange runs as if the text had been typed.
    const done =
      typeof document.execCommand === 'function' && document.execCommand('insertText', false, text);
    if (!done) {
      const next = replaceRange(field.value, start, end, text);
      pendingCaret.current = next.caret;
      onChange(next.text);
    }
  }

  function insertSuggestion(option: ReferenceOption | undefined) {
    if (!trigger || !option) return;
    setTrigger(null);
    replace(trigger.start, trigger.end, option.value);
  }

  function onKeyDown(event: KeyboardEvent<Editable>) {
    if (open) {
      const count = suggestions.length;
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        setActive((activeIndex + (event.key === 'ArrowDown' ? 1 : count - 1)) % count);
        return;
      }
      if (event.key === 'Enter' || (event.key === 'Tab' && !event.shiftKey)) {
        event.preventDefault();
        insertSuggestion(suggestions[activeIndex]);
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        dismissedAt.current = trigger?.start ?? null;
        setTrigger(null);
        return;
      }
    }
    if (variant !== 'code' || readOnly) return;
    if (event.key === 'Escape') {
      // The first Escape arms "Tab leaves"; a second one is left to the panel (e.g. to close it).
      if (!tabLeaves.current) event.stopPropagation();
      tabLeaves.current = true;
      return;
    }
    if (event.key === 'Tab' && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey) {
      if (tabLeaves.current) {
        tabLeaves.current = false;
        return;
      }
      event.preventDefault();
      const field = event.currentTarget;
      replace(field.selectionStart ?? 0, field.selectionEnd ?? 0, INDENT);
      return;
    }
    if (event.key !== 'Shift') tabLeaves.current = false;
  }

  function onPickerDismiss(which: Picker, how: PickerDismissal) {
    const button = buttonRefs.current[which];
    // Blurring onto its own button: let that click toggle the popover closed.
    if (how.reason === 'blur' && how.next === button) return;
    setPicker(null);
    if (how.reason === 'escape') button?.focus();
  }

  const common = {
    id,
    value,
    readOnly,
    placeholder: props.placeholder,
    spellCheck: variant === 'code' ? false : undefined,
    autoComplete: 'off',
    'aria-required': props.required || undefined,
    'aria-invalid': props.invalid || undefined,
    'aria-describedby':
      [props.describedBy, readOnly ? '' : keysHintId].filter(Boolean).join(' ') || undefined,
    'aria-autocomplete': readOnly ? undefined : ('list' as const),
    'aria-controls': readOnly ? undefined : listId,
    'aria-activedescendant': open ? optionId(listId, activeIndex) : undefined,
    onChange: (event: SyntheticEvent<Editable>) => {
      const field = event.currentTarget;
      onChange(field.value);
      remember(field);
      track(field, true);
    },
    onSelect: (event: SyntheticEvent<Editable>) => {
      remember(event.currentTarget);
      track(event.currentTarget, false);
    },
    onBlur: () => setTrigger(null),
    onKeyDown,
  };

  return (
    <div className={`nf-code nf-code-${variant}`}>
      <div className="nf-code-box">
        {multiline ? (
          <textarea
            {...common}
            ref={(node) => {
              fieldRef.current = node;
            }}
            rows={props.rows ?? (variant === 'code' ? 8 : 4)}
          />
        ) : (
          <input
            {...common}
            ref={(node) => {
              fieldRef.current = node;
            }}
            type="text"
            role="combobox"
            aria-expanded={open}
          />
        )}
        <ReferenceListbox
          id={listId}
          label="Variables"
          options={open ? suggestions : []}
          activeIndex={activeIndex}
          hidden={!open}
          onPick={insertSuggestion}
          onActivate={setActive}
        />
      </div>
      {readOnly ? null : (
        <span id={keysHintId} className="sr-only">
          {variant === 'code'
            ? 'Tab inserts two spaces; press Escape, then Tab, to leave the editor. Type two opening braces to insert a variable.'
            : 'Type two opening braces to insert a variable.'}
        </span>
      )}
      <span className="sr-only" aria-live="polite">
        {open ? `${suggestions.length} ${suggestions.length === 1 ? 'suggestion' : 'suggestions'}` : ''}
      </span>
      {showVariables || showSecrets ? (
        <div className="nf-code-tools">
          {(['variables', 'secrets'] as const)
            .filter((which) => (which === 'variables' ? showVariables : showSecrets))
            .map((which) => (
              <button
                key={which}
                ref={(node) => {
                  buttonRefs.current[which] = node;
                }}
                type="button"
                className="btn btn-ghost btn-sm"
                aria-haspopup="dialog"
                aria-expanded={picker === which}
                onClick={() => setPicker((current) => (current === which ? null : which))}
              >
                {which === 'variables' ? 'Insert variable' : 'Secret'}
                {label ? <span className="sr-only"> for {label}</span> : null}
              </button>
            ))}
        </div>
      ) : null}
      {picker ? (
        <ReferencePicker
          id={partId(id, picker)}
          title={picker === 'variables' ? 'Variables' : 'Secrets'}
          options={picker === 'variables' ? references : secrets}
          emptyText={
            picker === 'variables'
              ? 'No variables yet: connect this node after the nodes whose outputs it should use.'
              : 'No secrets in this workspace yet; owners add them under Settings › Secrets.'
          }
          onPick={(option) => {
            setPicker(null);
            replace(selection.current.start, selection.current.end, option.value);
          }}
          onDismiss={(how) => onPickerDismiss(picker, how)}
        />
      ) : null}
    </div>
  );
}
