// Encryption at rest: AES-GCM under a key derived from APP_SECRET, one key per purpose.
import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret } from '@/server/crypto/secret-box';

const appSecret = 'a-test-app-secret-that-is-long-enough-123';

describe('secret box', () => {
  it('round-trips, with a fresh IV each time and no plaintext in the stored form', () => {
    const a = encryptSecret(appSecret, 'workspace-secrets', 'sk-live-123456');
    const b = encryptSecret(appSecret, 'workspace-secrets', 'sk-live-123456');
    expect(a).not.toBe(b);
    expect(a).not.toContain('sk-live');
    expect(a.startsWith('v1.')).toBe(true);
    expect(decryptSecret(appSecret, 'workspace-secrets', a)).toBe('sk-live-123456');
  });

  it('refuses a tampered value, another purpose and another APP_SECRET', () => {
    const stored = encryptSecret(appSecret, 'workspace-secrets', 'value');
    const parts = stored.split('.');
    const tampered = [...parts.slice(0, 3), Buffer.from('other').toString('base64url')].join('.');
    expect(() => decryptSecret(appSecret, 'workspace-secrets', tampered)).toThrow();
    expect(() => decryptSecret(appSecret, 'model-providers', stored)).toThrow();
    expect(() => decryptSecret(`${appSecret}x`, 'workspace-secrets', stored)).toThrow();
    expect(() => decryptSecret(appSecret, 'workspace-secrets', 'garbage')).toThrow(/Unreadable/);
  });
});
