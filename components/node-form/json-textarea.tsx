// A JSON value edited as text: parsed on every keystroke, passed on only when it parses (empty
// text means "no value"), with the parse error shown and announced while it does not.
'use client';

import { useState } from 'react';
import { InlineProblem, joinIds } from './field-shell';
import { partId } from './value-path';

interface JsonTextareaProps {
  id: string;
  value: unknown;
  onChange(next: unknown): void;
  readOnly?: boolean;
  required?: boolean;
  invalid?: boolean;
  describedBy?: string;
  rows?: number;
  placeholder?: string;
}

const toText = (value: unknown) => (value === undefined ? '' : JSON.stringify(value, null, 2));

export function JsonTextarea(props: JsonTextareaProps) {
  const { id, value, onChange, readOnly, required, invalid, rows = 4, placeholder } = props;
  const [text, setText] = useState(() => toText(value));
  const [source, setSource] = useState(value);
  const [parseError, setParseError] = useState<string | null>(null);
  if (value !== source) {
    setSource(value);
    setText(toText(value));
    setParseError(null);
  }
  const errorId = partId(id, 'parse');
  const described = joinIds(props.describedBy, parseError && errorId);

  return (
    <>
      <textarea
        id={id}
        className="nf-json"
        rows={rows}
        value={text}
        placeholder={placeholder}
        readOnly={readOnly}
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        aria-required={required || undefined}
        aria-invalid={invalid || parseError ? true : undefined}
        aria-describedby={described}
        onChange={(event) => {
          const next = event.target.value;
          setText(next);
          if (next.trim() === '') {
            setParseError(null);
            setSource(undefined);
            onChange(undefined);
            return;
          }
          try {
            const parsed: unknown = JSON.parse(next);
            setParseError(null);
            setSource(parsed);
            onChange(parsed);
          } catch (error) {
            setParseError(error instanceof Error ? error.message : 'Not valid JSON');
          }
        }}
      />
      {parseError ? <InlineProblem id={errorId}>Not valid JSON yet: {parseError}</InlineProblem> : null}
    </>
  );
}
