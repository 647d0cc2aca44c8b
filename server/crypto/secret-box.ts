// Encryption at rest for secrets and provider keys: AES-256-GCM with a key derived from APP_SECRET
// by HKDF (one key per purpose). Stored form: `v1.<iv>.<tag>.<ciphertext>` in base64url.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export type SecretPurpose = 'workspace-secrets' | 'model-providers';

/** Derived keys, by secret and purpose: every model call decrypts its provider's key. */
const derived = new Map<string, Buffer>();

function keyFor(appSecret: string, purpose: SecretPurpose): Buffer {
  const id = `${purpose}\n${appSecret}`;
  let key = derived.get(id);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', appSecret, 'weft', `weft:${purpose}`, 32));
    // One APP_SECRET per process in practice; the bound only guards against unbounded growth.
    if (derived.size >= 16) derived.clear();
    derived.set(id, key);
  }
  return key;
}

export function encryptSecret(appSecret: string, purpose: SecretPurpose, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(appSecret, purpose), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), ciphertext]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

export function decryptSecret(appSecret: string, purpose: SecretPurpose, stored: string): string {
  const [version, iv, tag, ciphertext] = stored.split('.');
  if (version !== 'v1' || !iv || !tag || ciphertext === undefined)
    throw new Error('Unreadable encrypted value');
  const decipher = createDecipheriv('aes-256-gcm', keyFor(appSecret, purpose), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString(
    'utf8',
  );
}
