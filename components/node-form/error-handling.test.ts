// The stored form of a node's error handling.
import { describe, expect, it } from 'vitest';
import { errorHandlingSchema } from '@/workflows/dsl/definition';
import { DEFAULT_RETRY, normaliseErrorHandling } from './error-handling';

describe('normaliseErrorHandling', () => {
  it('stores nothing for the default behaviour', () => {
    expect(normaliseErrorHandling({ onError: 'fail' })).toBeUndefined();
    expect(normaliseErrorHandling({ onError: 'fail', defaultValue: 1 })).toBeUndefined();
  });

  it('keeps retry, timeout and onError, and a default value only for default-value', () => {
    expect(normaliseErrorHandling({ onError: 'fail', retry: DEFAULT_RETRY })).toEqual({
      onError: 'fail',
      retry: DEFAULT_RETRY,
    });
    expect(normaliseErrorHandling({ onError: 'error-branch', defaultValue: 'x' })).toEqual({
      onError: 'error-branch',
    });
    expect(
      normaliseErrorHandling({ onError: 'default-value', defaultValue: { a: 1 }, timeoutMs: 500 }),
    ).toEqual({
      onError: 'default-value',
      defaultValue: { a: 1 },
      timeoutMs: 500,
    });
  });

  it('starts retries from a policy the definition schema accepts', () => {
    expect(errorHandlingSchema.parse({ retry: DEFAULT_RETRY })).toMatchObject({ retry: DEFAULT_RETRY });
  });
});
