// Password hashing (argon2id via @node-rs/argon2) and the strength policy applied at sign-up.
import { hash, verify } from '@node-rs/argon2';

export const MIN_PASSWORD_LENGTH = 10;

const COMMON_PASSWORDS = new Set([
  'password',
  'password1',
  'password123',
  'passw0rd',
  'qwertyuiop',
  '1234567890',
  '12345678910',
  'iloveyou123',
  'letmein123',
  'welcome123',
  'administrator',
  'changeme123',
]);

/** Returns why a password is too weak, or undefined when it is acceptable. */
export function passwordWeakness(password: string, email?: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > 256) return 'must be at most 256 characters';
  const lowered = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lowered)) return 'is a commonly used password';
  if (new Set(password).size < 5) return 'repeats too few different characters';
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((r) => r.test(password));
  if (classes.length < 2 && password.length < 16)
    return 'must mix at least two of lower case, upper case, digits and symbols (or be 16+ characters)';
  const local = email?.split('@')[0]?.toLowerCase();
  if (local && local.length >= 4 && lowered.includes(local)) return 'must not contain your e-mail name';
  return undefined;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
