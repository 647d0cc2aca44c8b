// The session cookie: http-only, SameSite=Lax, Secure when served over https.
export const SESSION_COOKIE = 'weft_session';
export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

export function sessionCookieHeader(token: string, opts: { secure: boolean; expires: Date }) {
  return [
    `${SESSION_COOKIE}=${token}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Expires=${opts.expires.toUTCString()}`,
    opts.secure ? 'Secure' : '',
  ]
    .filter(Boolean)
    .join('; ');
}

export function clearSessionCookieHeader(secure: boolean) {
  return sessionCookieHeader('', { secure, expires: new Date(0) });
}

/** Reads one cookie from a Cookie request header. */
export function readCookie(header: string | null | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}
