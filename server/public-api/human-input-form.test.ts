import { describe, expect, it } from 'vitest';
import { ApiError } from './errors';
import {
  decisionFromForm,
  formDefinition,
  formTokenFor,
  parseFormToken,
  type ReviewRequest,
  submitFormBody,
} from './human-input-form';

const runId = '0b7f4c1e-5d2a-4c3b-9e8f-1a2b3c4d5e6f';

const review = (request: Record<string, unknown>): ReviewRequest => ({
  nodeId: 'review',
  stepKey: 'review',
  request,
  requestedAt: new Date('2026-11-22T10:00:00Z'),
});

const body = (value: unknown) => submitFormBody.parse(value);

function apiErrorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected an ApiError');
}

describe('form tokens', () => {
  it('name the run and review step they were made for', () => {
    const token = formTokenFor(runId, 'loop[2].review');
    expect(token.startsWith('hif_')).toBe(true);
    expect(parseFormToken(token)).toEqual({ runId, stepKey: 'loop[2].review' });
  });

  it('are refused when altered, truncated or made up', () => {
    const token = formTokenFor(runId, 'review');
    const [payload, mac] = token.slice(4).split('.') as [string, string];
    const otherRun = Buffer.from(`${runId.replace('0b7f', '1b7f')}:review`).toString('base64url');
    expect(parseFormToken(`hif_${otherRun}.${mac}`)).toBeNull();
    expect(parseFormToken(`hif_${payload}.${mac.slice(0, -1)}A`)).toBeNull();
    expect(parseFormToken(`hif_${payload}`)).toBeNull();
    expect(parseFormToken(token.slice(4))).toBeNull();
    expect(parseFormToken('hif_bm90LWEtdXVpZDpyZXZpZXc.AAAA')).toBeNull();
  });
});

describe('formDefinition', () => {
  it('offers the text under review for editing, a comment and both actions', () => {
    const form = formDefinition(review({ instructions: 'Check it', data: 'draft', deadlineMs: 60_000 }));
    expect(form.form_content).toBe('Check it');
    expect(form.inputs.map((i) => [i.type, i.output_variable_name])).toEqual([
      ['paragraph', 'data'],
      ['paragraph', 'comment'],
    ]);
    expect(form.resolved_default_values).toEqual({ data: 'draft', comment: '' });
    expect(form.user_actions.map((a) => a.id)).toEqual(['approve', 'reject']);
    expect(form.expiration_time).toBe(Date.parse('2026-11-22T10:01:00Z') / 1000);
  });

  it('shows structured data as JSON, and no data input when edits are not allowed', () => {
    expect(formDefinition(review({ data: { a: 1 } })).inputs[0]).toMatchObject({ type: 'json' });
    const locked = formDefinition(review({ data: 'x', allowEdit: false }));
    expect(locked.inputs.map((i) => i.output_variable_name)).toEqual(['comment']);
    expect(locked.expiration_time).toBeNull();
  });
});

describe('decisionFromForm', () => {
  const text = review({ data: 'draft' });

  it('approves unchanged data, edits changed data and rejects', () => {
    expect(
      decisionFromForm(text, body({ action: 'approve', user: 'ann', inputs: { data: 'draft' } })),
    ).toEqual({
      decision: 'approve',
      comment: '',
      reviewer: 'ann',
    });
    expect(
      decisionFromForm(
        text,
        body({ action: 'approve', user: 'ann', inputs: { data: 'better', comment: 'ok' } }),
      ),
    ).toEqual({ decision: 'edit', data: 'better', comment: 'ok', reviewer: 'ann' });
    expect(
      decisionFromForm(text, body({ action: 'reject', user: 'bob', inputs: { data: 'x' } })),
    ).toMatchObject({
      decision: 'reject',
    });
  });

  it('parses edited structured data given as JSON text', () => {
    const structured = review({ data: { n: 1 } });
    expect(
      decisionFromForm(structured, body({ action: 'approve', user: 'u', inputs: { data: '{"n":2}' } })),
    ).toMatchObject({ decision: 'edit', data: { n: 2 } });
    expect(
      apiErrorOf(() =>
        decisionFromForm(structured, body({ action: 'approve', user: 'u', inputs: { data: '{' } })),
      ).message,
    ).toMatch(/^inputs\.data: must be JSON/);
  });

  it('names the field of a bad submission', () => {
    const cases: [unknown, RegExp][] = [
      [{ action: 'maybe', user: 'u' }, /^action: must be one of approve, reject/],
      [{ action: 'approve', user: 'u', inputs: { colour: 'red' } }, /^inputs\.colour: is not an input/],
      [{ action: 'approve', user: 'u', inputs: { comment: 3 } }, /^inputs\.comment: must be a string/],
      [{ action: 'approve', user: 'u', inputs: { data: 3 } }, /^inputs\.data: must be a string/],
    ];
    for (const [value, message] of cases) {
      const error = apiErrorOf(() => decisionFromForm(text, body(value)));
      expect(error.status).toBe(400);
      expect(error.message).toMatch(message);
    }
    const locked = review({ data: 'x', allowEdit: false });
    expect(
      apiErrorOf(() =>
        decisionFromForm(locked, body({ action: 'approve', user: 'u', inputs: { data: 'y' } })),
      ).message,
    ).toMatch(/^inputs\.data: this review does not allow edits/);
  });
});
