// Validates a `?next=` return path so sign-in can only send people to pages of this site.
export function safeNext(value: string | string[] | undefined): string | undefined {
  const next = Array.isArray(value) ? value[0] : value;
  if (!next?.startsWith('/') || next.startsWith('//') || next.includes('\\')) return undefined;
  return next;
}
