// Per-node error handling: retries with exponential backoff, a timeout, and what a failure does
// (fail the run, continue with a default value, or take the node's error branch). An all-default
// setting is stored as no `error` at all, so untouched nodes keep a clean definition.
'use client';

import { useId } from 'react';
import type { ErrorHandling, RetryPolicy } from '@/workflows/dsl/definition';
import { DEFAULT_RETRY, normaliseErrorHandling } from './error-handling';
import { describedBy, FieldErrors } from './field-shell';
import { JsonTextarea } from './json-textarea';
import { NumberInput } from './number-input';
import { SwitchField } from './switch-field';
import { partId, pathKey } from './value-path';

export interface ErrorHandlingSectionProps {
  value: ErrorHandling | undefined;
  onChange(next: ErrorHandling | undefined): void;
  idPrefix: string;
  readOnly?: boolean;
  /** Problems, paths relative to the node's `error` (e.g. ['retry', 'maxAttempts']). */
  errors?: { path: (string | number)[]; message: string }[];
}

type OnError = ErrorHandling['onError'];

const ON_ERROR: { value: OnError; label: string; hint: string }[] = [
  { value: 'fail', label: 'Fail the run', hint: 'The run stops with this node’s error.' },
  {
    value: 'default-value',
    label: 'Use a default value',
    hint: 'The node succeeds with the value below as its output, and the run goes on.',
  },
  {
    value: 'error-branch',
    label: 'Take the error branch',
    hint: 'The run continues from the node’s “error” handle; connect it on the canvas.',
  },
];

// Limits of retryPolicySchema and errorHandlingSchema (workflows/dsl/definition.ts).
const RETRY_FIELDS: {
  key: keyof RetryPolicy;
  label: string;
  min: number;
  max: number;
  integer: boolean;
  hint: string;
}[] = [
  {
    key: 'maxAttempts',
    label: 'Max attempts',
    min: 1,
    max: 20,
    integer: true,
    hint: 'Including the first try.',
  },
  {
    key: 'initialMs',
    label: 'First delay (ms)',
    min: 0,
    max: 3_600_000,
    integer: true,
    hint: 'Wait before the first retry.',
  },
  {
    key: 'multiplier',
    label: 'Multiplier',
    min: 1,
    max: 10,
    integer: false,
    hint: 'Each delay is the previous one times this.',
  },
  {
    key: 'maxMs',
    label: 'Longest delay (ms)',
    min: 0,
    max: 86_400_000,
    integer: true,
    hint: 'Delays never grow past this.',
  },
];

export function ErrorHandlingSection({
  value,
  onChange,
  idPrefix,
  readOnly,
  errors = [],
}: ErrorHandlingSectionProps) {
  const headingId = useId();
  const current: ErrorHandling = value ?? { onError: 'fail' };
  const errorsAt = (...path: (string | number)[]) =>
    errors.filter((e) => pathKey(e.path) === pathKey(path)).map((e) => e.message);
  const set = (patch: Partial<ErrorHandling>) => onChange(normaliseErrorHandling({ ...current, ...patch }));
  const id = (part: string) => partId(idPrefix, part);
  const onError = ON_ERROR.find((o) => o.value === current.onError) ?? ON_ERROR[0];
  const onErrorErrors = errorsAt('onError');
  const timeoutErrors = errorsAt('timeoutMs');
  const defaultErrors = errorsAt('defaultValue');
  const retryErrors = errorsAt('retry');
  const retry = current.retry;

  return (
    <section className="nf-section" aria-labelledby={headingId}>
      <h3 id={headingId}>Error handling</h3>
      <FieldErrors id={id('error')} errors={errorsAt()} />
      <SwitchField
        id={id('retry')}
        label="Retry on failure"
        checked={retry !== undefined}
        path={['retry']}
        readOnly={readOnly}
        errors={retryErrors}
        hint="Try again after a failure, waiting longer each time."
        onChange={(on) => set({ retry: on ? DEFAULT_RETRY : undefined })}
      />
      {retry ? (
        <fieldset className="nf-group nf-group-nested nf-retry" aria-label="Retry policy">
          {RETRY_FIELDS.map((f) => {
            const fieldId = id(`retry-${f.key}`);
            const fieldErrors = errorsAt('retry', f.key);
            return (
              <div key={f.key} className="nf-field" data-path={`retry.${f.key}`}>
                <label htmlFor={fieldId}>{f.label}</label>
                <NumberInput
                  id={fieldId}
                  value={retry[f.key]}
                  integer={f.integer}
                  min={f.min}
                  max={f.max}
                  step={f.integer ? 1 : 0.1}
                  readOnly={readOnly}
                  required
                  invalid={fieldErrors.length > 0}
                  describedBy={describedBy(fieldId, f.hint, fieldErrors)}
                  // A cleared box falls back to the default rather than leaving the policy incomplete.
                  onChange={(n) => set({ retry: { ...retry, [f.key]: n ?? DEFAULT_RETRY[f.key] } })}
                />
                <p id={partId(fieldId, 'hint')} className="hint">
                  {f.hint}
                </p>
                <FieldErrors id={partId(fieldId, 'error')} errors={fieldErrors} />
              </div>
            );
          })}
        </fieldset>
      ) : null}
      <div className="nf-field" data-path="timeoutMs">
        <label htmlFor={id('timeout')}>Timeout (ms)</label>
        <NumberInput
          id={id('timeout')}
          value={current.timeoutMs}
          integer
          min={1}
          max={86_400_000}
          placeholder="No timeout"
          readOnly={readOnly}
          invalid={timeoutErrors.length > 0}
          describedBy={describedBy(id('timeout'), true, timeoutErrors)}
          onChange={(n) => set({ timeoutMs: n })}
        />
        <p id={partId(id('timeout'), 'hint')} className="hint">
          An attempt that takes longer fails (and is retried, if retries are on). Empty: no limit.
        </p>
        <FieldErrors id={partId(id('timeout'), 'error')} errors={timeoutErrors} />
      </div>
      <div className="nf-field" data-path="onError">
        <label htmlFor={id('on-error')}>When it still fails</label>
        <select
          id={id('on-error')}
          value={current.onError}
          disabled={readOnly}
          aria-invalid={onErrorErrors.length > 0 ? true : undefined}
          aria-describedby={describedBy(id('on-error'), true, onErrorErrors)}
          onChange={(event) => set({ onError: event.target.value as OnError })}
        >
          {ON_ERROR.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
        <p id={partId(id('on-error'), 'hint')} className="hint">
          {onError?.hint}
        </p>
        <FieldErrors id={partId(id('on-error'), 'error')} errors={onErrorErrors} />
      </div>
      {current.onError === 'default-value' ? (
        <div className="nf-field" data-path="defaultValue">
          <label htmlFor={id('default')}>Default value (JSON)</label>
          <JsonTextarea
            id={id('default')}
            value={current.defaultValue}
            readOnly={readOnly}
            invalid={defaultErrors.length > 0}
            describedBy={describedBy(id('default'), true, defaultErrors)}
            placeholder='e.g. {"text": "Sorry, try again later."}'
            onChange={(next) => set({ defaultValue: next })}
          />
          <p id={partId(id('default'), 'hint')} className="hint">
            The node’s output when it fails; downstream references read it like a real output.
          </p>
          <FieldErrors id={partId(id('default'), 'error')} errors={defaultErrors} />
        </div>
      ) : null}
    </section>
  );
}
