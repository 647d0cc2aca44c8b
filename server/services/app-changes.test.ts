// The published API's in-memory caches: entries expire, invalidation drops them at once and keeps a
// read that started before it from storing a stale value, the size stays bounded, and app notices
// reach every listener.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { appChanged, onAppChanged, TtlCache } from './app-changes';

describe('TtlCache', () => {
  afterEach(() => vi.useRealTimers());

  it('serves an entry until its time to live has passed', () => {
    vi.useFakeTimers();
    const cache = new TtlCache<string, number>(1_000);
    cache.set('a', 1, cache.generation);
    vi.advanceTimersByTime(999);
    expect(cache.get('a')).toBe(1);
    vi.advanceTimersByTime(1);
    expect(cache.get('a')).toBeUndefined();
  });

  it('drops what an invalidation selects, and refuses a read that started before it', () => {
    const cache = new TtlCache<string, { app: string }>(60_000);
    cache.set('k1', { app: 'x' }, cache.generation);
    cache.set('k2', { app: 'y' }, cache.generation);
    const before = cache.generation;
    cache.invalidate((_key, value) => value.app === 'x');
    expect(cache.get('k1')).toBeUndefined();
    expect(cache.get('k2')).toEqual({ app: 'y' });
    // A lookup that read the database before the invalidation must not store what it read.
    cache.set('k1', { app: 'x' }, before);
    expect(cache.get('k1')).toBeUndefined();
    cache.set('k1', { app: 'x' }, cache.generation);
    expect(cache.get('k1')).toEqual({ app: 'x' });
  });

  it('keeps at most its size, dropping the oldest first', () => {
    const cache = new TtlCache<number, number>(60_000, 3);
    for (let i = 0; i < 5; i++) cache.set(i, i, cache.generation);
    expect([0, 1, 2, 3, 4].map((i) => cache.get(i))).toEqual([undefined, undefined, 2, 3, 4]);
  });
});

describe('app change notices', () => {
  it('reach every listener until it unsubscribes', () => {
    const seen: string[] = [];
    const off = onAppChanged((id) => seen.push(`a:${id}`));
    const offB = onAppChanged((id) => seen.push(`b:${id}`));
    appChanged('app-1');
    off();
    appChanged('app-2');
    offB();
    expect(seen).toEqual(['a:app-1', 'b:app-1', 'b:app-2']);
  });
});
