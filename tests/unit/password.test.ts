// The password policy and hashing.
import { describe, expect, it } from 'vitest';
import { hashPassword, passwordWeakness, verifyPassword } from '@/server/auth/password';

describe('password policy', () => {
  it.each([
    ['short1', /at least 10/],
    ['password123', /commonly used/],
    ['aaaaaaaaaaaa1', /too few different/],
    ['onlylowercase', /mix at least two/],
    ['Jane.Doe-2024!', /e-mail name/],
  ])('refuses %s', (password, reason) => {
    expect(passwordWeakness(password, 'jane.doe@example.test')).toMatch(reason);
  });

  it.each(['Correct-Horse-42', 'a long passphrase of words', 'Tr0ub4dor&3x'])('accepts %s', (password) => {
    expect(passwordWeakness(password, 'jane@example.test')).toBeUndefined();
  });

  it('hashes with argon2id and verifies only the right password', async () => {
    const hash = await hashPassword('Correct-Horse-42');
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(hash, 'Correct-Horse-42')).toBe(true);
    expect(await verifyPassword(hash, 'Correct-Horse-43')).toBe(false);
    expect(await verifyPassword('not-a-hash', 'x')).toBe(false);
  });
});
