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
 * published API's per-request lookups of rows that rarely change. A load that started before an
 * invalidation stores nothing: `gen` moved on meanwhile.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; until: number }>();
  /** Loads under way, one per key; an invalidation forgets them (later callers load afresh). */
  private readonly loading = new Map<K, Promise<V | undefined>>();
  private gen = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  /**
   * The value for `key`, loaded when there is none or it has expired. However many callers miss at
   * once, one load runs per key and they all get its result. An entry in the second half of its life
   * is served while a load in the background replaces it, so a key in steady use never waits for
   * the database; nothing older than the time to live (counted from when its load began) is served.
   * `load` gets the entry it replaces, if any. A load that finds nothing (undefined) drops the entry;
   * a failed one reaches the callers waiting for it, while a failed refresh leaves the entry to
   * expire.
   */
  getOrLoad(key: K, load: (previous: V | undefined) => Promise<V>): Promise<V>;
  getOrLoad(key: K, load: (previous: V | undefined) => Promise<V | undefined>): Promise<V | undefined>;
  getOrLoad(key: K, load: (previous: V | undefined) => Promise<V | undefined>): Promise<V | undefined> {
    const entry = this.entries.get(key);
    const now = Date.now();
    if (entry && entry.until > now) {
      if (entry.until - now <= this.ttlMs / 2 && !this.loading.has(key))
        this.startLoad(key, load, entry.value).catch(() => {});
      return Promise.resolve(entry.value);
    }
    return this.loading.get(key) ?? this.startLoad(key, load, undefined);
  }

  private startLoad(
    key: K,
    load: (previous: V | undefined) => Promise<V | undefined>,
    previous: V | undefined,
  ): Promise<V | undefined> {
    const generation = this.gen;
    const startedAt = Date.now();
    const settled = () => {
      if (this.loading.get(key) === loaded) this.loading.delete(key);
    };
    const loaded: Promise<V | undefined> = load(previous).then(
      (value) => {
        settled();
        if (generation === this.gen) {
          if (value === undefined) this.entries.delete(key);
          else this.store(key, value, startedAt + this.ttlMs);
        }
        return value;
      },
      (error: unknown) => {
        settled();
        throw error;
      },
    );
    this.loading.set(key, loaded);
    return loaded;
  }

  private store(key: K, value: V, until: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, until });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  /** Drops every entry `matches` selects, and refuses stores of reads that started before. */
  invalidate(matches: (key: K, value: V) => boolean): void {
    this.gen += 1;
    this.loading.clear();
    for (const [key, entry] of this.entries) if (matches(key, entry.value)) this.entries.delete(key);
  }

  clear(): void {
    this.gen += 1;
    this.loading.clear();
    this.entries.clear();
  }
}
