// The workflow sees placeholders for secrets; the activity fills in the values just before a node
// runs, and redaction turns them back into the same placeholders in what is stored.
import { describe, expect, it } from 'vitest';
import { createRedactor } from '@/workflows/engines/embedded/redact';
import { fillSecrets, secretPlaceholders } from './secret-placeholders';

describe('secret placeholders', () => {
  const secrets = { TOKEN: 'tok-123456', OTHER: 'other-value' };

  it('fills every placeholder of a known secret, deep inside the config', () => {
    const placeholders = secretPlaceholders(['TOKEN']);
    const config = {
      url: 'https://api.example.test/x',
      headers: { authorization: `Bearer ${placeholders.TOKEN}` },
      list: [placeholders.TOKEN, 3, null, `${placeholders.TOKEN}/${placeholders.TOKEN}`],
    };
    expect(fillSecrets(config, secrets)).toEqual({
      url: 'https://api.example.test/x',
      headers: { authorization: 'Bearer tok-123456' },
      list: ['tok-123456', 3, null, 'tok-123456/tok-123456'],
    });
  });

  it('leaves placeholders of secrets it was not given, and everything without secrets', () => {
    expect(fillSecrets({ a: '[secret:MISSING]' }, secrets)).toEqual({ a: '[secret:MISSING]' });
    const config = { a: '[secret:TOKEN]' };
    expect(fillSecrets(config, {})).toBe(config);
  });

  it('is undone by redaction', () => {
    const filled = fillSecrets({ auth: 'Bearer [secret:TOKEN]', other: '[secret:OTHER]' }, secrets);
    expect(createRedactor(secrets)(filled)).toEqual({
      auth: 'Bearer [secret:TOKEN]',
      other: '[secret:OTHER]',
    });
  });
});
