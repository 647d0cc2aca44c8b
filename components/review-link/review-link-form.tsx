// The external reviewer's form: the review's instructions and context, the data under review
// (editable when the review allows it), its typed fields, a comment and one button per action.
// The decision is POSTed to /api/review-links/<token>; a 400 marks the field at fault, a 410 says
// the link no longer works.
'use client';

import { type FormEvent, useId, useState } from 'react';
import { Button } from '@/components/ui/button';
import { ErrorBanner, SuccessBanner } from '@/components/ui/error-banner';
import { SelectField, TextAreaField, TextField } from '@/components/ui/field';
import { Markdown } from '@/components/web-chat/markdown';
import type { ReviewLinkView } from '@/server/services/review-links';
import styles from './review-link.module.css';

type Field = ReviewLinkView['fields'][number];

const asText = (value: unknown) =>
  value === undefined || value === null
    ? ''
    : typeof value === 'string'
      ? value
      : JSON.stringify(value, null, 2);

const utc = (iso: string) => new Date(iso).toUTCString();

/** A field's starting value as the form holds it (text, or a boolean for checkboxes). */
function initialValue(field: Field): string | boolean {
  if (field.type === 'boolean') return field.value === true;
  if (field.type === 'number')
    return field.value === undefined || field.value === null ? '' : String(field.value);
  return asText(field.value);
}

/** The field at fault in a server message "fields.x: …" / "data: …". */
const faultOf = (message: string) => /^([a-zA-Z0-9_.]+): /.exec(message)?.[1] ?? null;

export function ReviewLinkForm({ token, review }: { token: string; review: ReviewLinkView }) {
  const titleId = useId();
  const dataIsText = typeof review.data === 'string' || review.data === null;
  const [data, setData] = useState(asText(review.data));
  const [values, setValues] = useState<Record<string, string | boolean>>(() =>
    Object.fromEntries(review.fields.map((f) => [f.name, initialValue(f)])),
  );
  const [comment, setComment] = useState('');
  const [pending, setPending] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [gone, setGone] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const fault = error ? faultOf(error) : null;

  async function decide(actionId: string) {
    setError(null);
    const body: Record<string, unknown> = { action: actionId, comment };
    if (review.allowEdit && data !== asText(review.data)) {
      if (dataIsText) body.data = data;
      else {
        try {
          body.data = JSON.parse(data);
        } catch {
          setError('data: must be valid JSON');
          return;
        }
      }
    }
    if (review.fields.length > 0) body.fields = values;
    setPending(actionId);
    try {
      const res = await fetch(`/api/review-links/${encodeURIComponent(token)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const answer = (await res.json().catch(() => ({}))) as { message?: string };
      if (res.ok) {
        const label = review.actions.find((a) => a.id === actionId)?.label ?? actionId;
        setDone(label);
      } else if (res.status === 410) {
        setGone(answer.message ?? 'This review link no longer works.');
      } else {
        setError(answer.message ?? `The decision was not recorded (HTTP ${res.status}).`);
      }
    } catch {
      setError('Could not reach the server. Check your connection and try again.');
    } finally {
      setPending(null);
    }
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void decide('approve');
  }

  if (done)
    return (
      <div className="card stack">
        <h1>Thank you, {review.reviewer.name}</h1>
        <SuccessBanner>
          Your decision “{done}” on “{review.title}” was recorded. You can close this page.
        </SuccessBanner>
      </div>
    );

  if (gone)
    return (
      <div className="card stack">
        <h1>This review link no longer works</h1>
        <p role="alert">{gone}</p>
      </div>
    );

  return (
    <form className="stack" onSubmit={onSubmit} noValidate aria-labelledby={titleId}>
      <header className={styles.header}>
        <h1 id={titleId}>{review.title}</h1>
        <p className="muted">
          In {review.appName} · for {review.reviewer.name} ({review.reviewer.email}) · link valid until{' '}
          <time dateTime={review.expiresAt}>{utc(review.expiresAt)}</time>
          {review.deadlineAt ? (
            <>
              {' '}
              · decide before <time dateTime={review.deadlineAt}>{utc(review.deadlineAt)}</time>
            </>
          ) : null}
        </p>
      </header>

      {review.instructions.trim() ? (
        <section className={`card ${styles.instructions}`} aria-label="Instructions">
          <Markdown text={review.instructions} />
        </section>
      ) : null}

      {review.context.length > 0 ? (
        <section className="card stack" aria-labelledby={`${titleId}-context`}>
          <h2 id={`${titleId}-context`}>Context</h2>
          <dl className={styles.context}>
            {review.context.map((item, i) => (
              // Context rows are a fixed list from the review; their order is their identity.
              // biome-ignore lint/suspicious/noArrayIndexKey: labels may repeat
              <div key={i} style={{ display: 'contents' }}>
                <dt>{item.label}</dt>
                <dd>{asText(item.value)}</dd>
              </div>
            ))}
          </dl>
        </section>
      ) : null}

      <section className="card stack" aria-labelledby={`${titleId}-decision`}>
        <h2 id={`${titleId}-decision`}>Your review</h2>
        <ErrorBanner error={error} />
        {review.data !== null && review.data !== undefined && !review.allowEdit ? (
          <div className="stack">
            <h3>Data under review</h3>
            <pre className={styles.value}>{asText(review.data)}</pre>
          </div>
        ) : null}
        {review.allowEdit && review.data !== null ? (
          <TextAreaField
            label={
              dataIsText ? 'Data under review (you may edit it)' : 'Data under review (JSON, you may edit it)'
            }
            value={data}
            onChange={(e) => setData(e.target.value)}
            rows={Math.min(16, Math.max(4, data.split('\n').length + 1))}
            invalid={fault === 'data'}
            spellCheck={dataIsText}
          />
        ) : null}
        {review.fields.map((field) => (
          <FieldInput
            key={field.name}
            field={field}
            value={values[field.name] ?? ''}
            invalid={fault === `fields.${field.name}`}
            onChange={(value) => setValues((v) => ({ ...v, [field.name]: value }))}
          />
        ))}
        <TextAreaField
          label="Comment (optional)"
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          maxLength={10_000}
          rows={3}
          invalid={fault === 'comment'}
        />
        <div className={styles.actions}>
          {review.actions.map((action) => (
            <Button
              key={action.id}
              type={action.id === 'approve' ? 'submit' : 'button'}
              variant={action.id === 'approve' ? 'primary' : action.id === 'reject' ? 'danger' : 'secondary'}
              disabled={pending !== null}
              onClick={action.id === 'approve' ? undefined : () => void decide(action.id)}
            >
              {pending === action.id ? 'Sending…' : action.label || action.id}
            </Button>
          ))}
        </div>
      </section>
    </form>
  );
}

function FieldInput({
  field,
  value,
  invalid,
  onChange,
}: {
  field: Field;
  value: string | boolean;
  invalid: boolean;
  onChange: (value: string | boolean) => void;
}) {
  const id = useId();
  const label = `${field.label || field.name}${field.required ? ' (required)' : ''}`;
  switch (field.type) {
    case 'boolean':
      return (
        <label className="checkbox" htmlFor={id}>
          <input
            id={id}
            type="checkbox"
            checked={value === true}
            onChange={(e) => onChange(e.target.checked)}
            aria-invalid={invalid || undefined}
          />
          {label}
        </label>
      );
    case 'select':
      return (
        <SelectField
          label={label}
          value={String(value)}
          onChange={(e) => onChange(e.target.value)}
          invalid={invalid}
          required={field.required}
        >
          <option value="">Choose…</option>
          {(field.options ?? []).map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </SelectField>
      );
    case 'long-text':
    case 'json':
      return (
        <TextAreaField
          label={field.type === 'json' ? `${label} (JSON)` : label}
          value={String(value)}
          onChange={(e) => onChange(e.target.value)}
          rows={field.type === 'json' ? 6 : 4}
          invalid={invalid}
          required={field.required}
          spellCheck={field.type !== 'json'}
        />
      );
    default:
      return (
        <TextField
          label={label}
          type={field.type === 'number' ? 'number' : 'text'}
          inputMode={field.type === 'number' ? 'decimal' : undefined}
          value={String(value)}
          onChange={(e) => onChange(e.target.value)}
          invalid={invalid}
          required={field.required}
        />
      );
  }
}
