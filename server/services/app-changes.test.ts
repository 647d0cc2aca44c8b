// The published API's in-memory caches: one load per key, entries refreshed before they expire and
// never served after, invalidation drops them at once and keeps a read that started before it from
// storing a stale value, the size stays bounded, and app notices reach every listener.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { appChanged, onAppChanged, TtlCache } from './app-changes';

/** A load that the test settles when it wants, counting how often the cache started one. */
function loader<V>() {
  const pending: { resolve: (v: V | undefined) => void; reject: (e: Error) => void }[] = [];
  const load = vi.fn(
    () =>
      new Promise<V | undefined>((resolve, reject) => {
        pending.push({ resolve, reject });
      }),
  );
  return { load, pending };
}

/** Lets settled promises run their callbacks. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A cache of 1 s with 'a' loaded as 1 at the (fake) time 0; later loads are the test's to settle. */
async function cacheHoldingA() {
  vi.useFakeTimers({ toFake: ['Date'] });
  const cache = new TtlCache<string, number>(1_000);
  const { load, pending } = loader<number>();
  const first = cache.getOrLoad('a', load);
  pending[0]?.resolve(1);
  expect(await first).toBe(1);
  return { cache, load, pending };
}

describe('TtlCache', () => {
  afterEach(() => vi.useRealTimers());

  it('serves an entry without loading until half its life, then refreshes it in the background', async () => {
    const { cache, load, pending } = await cacheHoldingA();
    vi.advanceTimersByTime(499);
    expect(await cache.getOrLoad('a', load)).toBe(1);
    expect(load).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    // In the second half: the entry is served at once, and one refresh starts however many ask.
    expect(await cache.getOrLoad('a', load)).toBe(1);
    expect(await cache.getOrLoad('a', load)).toBe(1);
    expect(load).toHaveBeenCalledTimes(2);
    expect(load).toHaveBeenLastCalledWith(1);
    pending[1]?.resolve(2);
    await settle();
    expect(await cache.getOrLoad('a', load)).toBe(2);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('never serves an entry past its time to live: callers wait for the load', async () => {
    const { cache, load, pending } = await cacheHoldingA();
    vi.advanceTimersByTime(1_000);
    let got: number | undefined;
    const second = cache.getOrLoad('a', load).then((v) => {
      got = v;
    });
    await settle();
    expect(got).toBeUndefined();
    pending[1]?.resolve(2);
    await second;
    expect(got).toBe(2);
  });

  it('runs one load for callers that miss at once', async () => {
    const cache = new TtlCache<string, string>(60_000);
    const { load, pending } = loader<string>();
    const asked = [cache.getOrLoad('k', load), cache.getOrLoad('k', load), cache.getOrLoad('k', load)];
    expect(load).toHaveBeenCalledTimes(1);
    pending[0]?.resolve('v');
    expect(await Promise.all(asked)).toEqual(['v', 'v', 'v']);
  });

  it('drops what an invalidation selects; a load that began before it stores nothing and is not joined', async () => {
    const cache = new TtlCache<string, { app: string }>(60_000);
    const seed = loader<{ app: string }>();
    const k1 = cache.getOrLoad('k1', seed.load);
    const k2 = cache.getOrLoad('k2', seed.load);
    seed.pending[0]?.resolve({ app: 'x' });
    seed.pending[1]?.resolve({ app: 'y' });
    await Promise.all([k1, k2]);

    const { load, pending } = loader<{ app: string }>();
    cache.invalidate((_key, value) => value.app === 'x');
    expect(await cache.getOrLoad('k2', load)).toEqual({ app: 'y' });
    expect(load).not.toHaveBeenCalled();

    // k1 is gone: a load starts. It read the database before a second invalidation (a revoke).
    const before = cache.getOrLoad('k1', load);
    cache.invalidate((_key, value) => value.app === 'x');
    const after = cache.getOrLoad('k1', load);
    expect(load).toHaveBeenCalledTimes(2);
    pending[1]?.resolve({ app: 'x (after)' });
    pending[0]?.resolve({ app: 'x (before)' });
    expect(await before).toEqual({ app: 'x (before)' });
    expect(await after).toEqual({ app: 'x (after)' });
    expect(await cache.getOrLoad('k1', load)).toEqual({ app: 'x (after)' });
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('drops an entry whose refresh finds nothing (a revoked key)', async () => {
    const { cache, load, pending } = await cacheHoldingA();
    vi.advanceTimersByTime(600);
    expect(await cache.getOrLoad('a', load)).toBe(1);
    pending[1]?.resolve(undefined);
    await settle();
    const third = cache.getOrLoad('a', load);
    expect(load).toHaveBeenCalledTimes(3);
    pending[2]?.resolve(undefined);
    expect(await third).toBeUndefined();
  });

  it('hands a failed load to its callers and keeps nothing; a failed refresh leaves the entry', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const cache = new TtlCache<string, number>(1_000);
    const { load, pending } = loader<number>();
    const failing = cache.getOrLoad('a', load);
    pending[0]?.reject(new Error('database down'));
    await expect(failing).rejects.toThrow('database down');
    const retried = cache.getOrLoad('a', load);
    expect(load).toHaveBeenCalledTimes(2);
    pending[1]?.resolve(1);
    expect(await retried).toBe(1);
    vi.advanceTimersByTime(600);
    expect(await cache.getOrLoad('a', load)).toBe(1);
    pending[2]?.reject(new Error('database down'));
    await settle();
    vi.advanceTimersByTime(300);
    expect(await cache.getOrLoad('a', load)).toBe(1);
    expect(load).toHaveBeenCalledTimes(4);
  });

  it('keeps at most its size, dropping the oldest first', async () => {
    const cache = new TtlCache<number, number>(60_000, 3);
    const load = vi.fn(async () => 0);
    for (let i = 0; i < 5; i++) await cache.getOrLoad(i, load);
    expect(load).toHaveBeenCalledTimes(5);
    for (const i of [2, 3, 4]) await cache.getOrLoad(i, load);
    expect(load).toHaveBeenCalledTimes(5);
    await cache.getOrLoad(0, load);
    expect(load).toHaveBeenCalledTimes(6);
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
