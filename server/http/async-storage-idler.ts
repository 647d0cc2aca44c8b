// Turns Node's async hooks off while Next.js is idle. Next keeps each request's state in
// AsyncLocalStorage, and on Node 20 a storage that was entered once keeps async hooks on for every
// promise the process makes from then on: 10–20 % of the CPU of a published-API request (served the
// short way, server/http/api-fast-path.ts) that never touches Next. The web server reports when
// Next's requests start and end; once none has been in flight for `idleMs`, every storage entered
// so far is disabled (`disable()`, Node's own API), which turns the hooks off. The next Next request
// enters its storages again, which turns them back on. Only storages that were entered are known:
// the prototype's entry points are wrapped to note them.
import { AsyncLocalStorage } from 'node:async_hooks';

type Storage = AsyncLocalStorage<unknown>;

export interface AsyncStorageIdler {
  /** A request that may use storages began (Next's). */
  requestStarted(): void;
  /** That request ended (its response closed). */
  requestEnded(): void;
  /** How many storages were disabled the last time the process went idle (for tests and logs). */
  lastDisabled(): number;
  /** Stops noting storages and cancels a pending idle period (tests). */
  uninstall(): void;
}

const ENTRY_POINTS = ['run', 'enterWith', 'exit'] as const;

export function installAsyncStorageIdler(idleMs: number): AsyncStorageIdler {
  // Weakly held: a library that makes a storage per request must not make this grow.
  const storages = new Set<WeakRef<Storage>>();
  const noted = new WeakSet<Storage>();
  const note = (storage: Storage) => {
    if (noted.has(storage)) return;
    noted.add(storage);
    storages.add(new WeakRef(storage));
  };

  const prototype = AsyncLocalStorage.prototype as Storage;
  const originals = ENTRY_POINTS.map((name) => [name, prototype[name]] as const);
  for (const [name, original] of originals) {
    // Each wrapper keeps the original's own signature; only `this` is looked at.
    const wrapped = function (this: Storage, ...args: unknown[]) {
      note(this);
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
    Object.defineProperty(prototype, name, { value: wrapped, writable: true, configurable: true });
  }

  let inFlight = 0;
  let timer: NodeJS.Timeout | null = null;
  let disabled = 0;

  const goIdle = () => {
    timer = null;
    if (inFlight > 0) return;
    disabled = 0;
    for (const ref of storages) {
      const storage = ref.deref();
      if (!storage) {
        storages.delete(ref);
        continue;
      }
      storage.disable();
      disabled += 1;
    }
  };

  return {
    requestStarted() {
      inFlight += 1;
      if (timer) {
        clearTimeout(timer);
        timer = null;
      }
    },
    requestEnded() {
      inFlight = Math.max(0, inFlight - 1);
      if (inFlight === 0 && !timer) {
        timer = setTimeout(goIdle, idleMs);
        timer.unref();
      }
    },
    lastDisabled: () => disabled,
    uninstall() {
      if (timer) clearTimeout(timer);
      timer = null;
      for (const [name, original] of originals)
        Object.defineProperty(prototype, name, { value: original, writable: true, configurable: true });
    },
  };
}
