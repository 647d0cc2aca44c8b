// Cookie-authenticated mutations are refused when a browser says they come from another site.
import { describe, expect, it } from 'vitest';
import { isSameOriginRequest } from '@/server/auth/csrf';

const url = 'http://localhost:3000/api/trpc/apps.create';
const check = (headers: Record<string, string>) =>
  isSameOriginRequest(new Headers({ host: 'localhost:3000', ...headers }), url);

describe('same-origin check', () => {
  it('allows same-origin browser requests and non-browser clients', () => {
    expect(check({ origin: 'http://localhost:3000', 'sec-fetch-site': 'same-origin' })).toBe(true);
    expect(check({})).toBe(true);
  });

  it('refuses cross-site requests', () => {
    expect(check({ origin: 'https://evil.example' })).toBe(false);
    expect(check({ 'sec-fetch-site': 'cross-site' })).toBe(false);
    expect(check({ 'sec-fetch-site': 'same-site', origin: 'http://localhost:3000' })).toBe(false);
    expect(check({ origin: 'null' })).toBe(false);
  });
});
