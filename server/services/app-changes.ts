// In-process notices that an app changed in a way the published API caches depend on: renamed or
// described anew, published, or deleted (its keys and versions go with it). app-service announces
// them once the change is committed; the API key cache and the published-version cache drop what
// they hold for the app. Other processes do not hear these notices: their caches expire instead
// (see PUBLISHED_API_CACHE_TTL_MS).
type Listener = (appId: string) => void;

const listeners = new Set<Listener>();

/** How long another process may serve a revoked key, an old app name or an old version. */
export const PUBLISHED_API_CACHE_TTL_MS = 5_000;

export function onAppChanged(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function appChanged(appId: string): void {
  for (const listener of listeners) listener(appId);
}

/**
 * A small map with a time to live and a size bound (the oldest entries go first), for the
 * published API's per-request lookups. `generation` lets a reader that started before an
 * invalidation avoid storing what it read: store only if the generation is still the one it saw.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; until: number }>();
  private gen = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get generation(): number {
    return this.gen;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Stores `value` unless something was invalidated since `generation` was read. */
  set(key: K, value: V, generation: number): void {
    if (generation !== this.gen) return;
    this.entries.delete(key);
    this.entries.set(key, { value, until: Date.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  /** Drops every entry `matches` selects, and refuses stores of reads that started before. */
  invalidate(matches: (key: K, value: V) => boolean): void {
    this.gen += 1;
    for (const [key, entry] of this.entries) if (matches(key, entry.value)) this.entries.delete(key);
  }

  clear(): void {
    this.gen += 1;
    this.entries.clear();
  }
}
