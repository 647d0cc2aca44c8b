// The idler over real AsyncLocalStorage instances: storages entered while Next's requests ran are
// disabled (their stores gone, hooks off) once no request has been in flight for the idle period,
// not while one still is, and a storage entered again afterwards works as before.
import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { type AsyncStorageIdler, installAsyncStorageIdler } from './async-storage-idler';

const IDLE_MS = 30;
let idler: AsyncStorageIdler | null = null;

afterEach(() => {
  idler?.uninstall();
  idler = null;
});

/** Runs `body` in a fresh async context, so a store entered there stays there. */
const inOwnContext = <T>(body: () => Promise<T>) =>
  new Promise<T>((resolve, reject) => {
    setImmediate(() => body().then(resolve, reject));
  });

describe('installAsyncStorageIdler', () => {
  it('disables the storages a request entered once no request has been in flight for the idle period', async () => {
    idler = installAsyncStorageIdler(IDLE_MS);
    const storage = new AsyncLocalStorage<string>();
    await inOwnContext(async () => {
      idler?.requestStarted();
      storage.enterWith('request state');
      await sleep(1);
      expect(storage.getStore()).toBe('request state');
      idler?.requestEnded();
      await sleep(IDLE_MS / 3);
      expect(storage.getStore()).toBe('request state');
      await sleep(IDLE_MS * 2);
      expect(storage.getStore()).toBeUndefined();
    });
    expect(idler.lastDisabled()).toBeGreaterThanOrEqual(1);
    // Entered again, it works as before.
    expect(
      await storage.run('next request', async () => {
        await sleep(1);
        return storage.getStore();
      }),
    ).toBe('next request');
  });

  it('leaves the storages alone while any request is still in flight', async () => {
    idler = installAsyncStorageIdler(IDLE_MS);
    const storage = new AsyncLocalStorage<string>();
    await inOwnContext(async () => {
      idler?.requestStarted();
      idler?.requestStarted();
      storage.enterWith('long stream');
      idler?.requestEnded();
      await sleep(IDLE_MS * 3);
      expect(storage.getStore()).toBe('long stream');
      idler?.requestEnded();
      await sleep(IDLE_MS * 3);
      expect(storage.getStore()).toBeUndefined();
    });
  });

  it('cancels the idle period when a request starts during it', async () => {
    idler = installAsyncStorageIdler(IDLE_MS);
    const storage = new AsyncLocalStorage<string>();
    await inOwnContext(async () => {
      idler?.requestStarted();
      storage.enterWith('state');
      idler?.requestEnded();
      await sleep(IDLE_MS / 3);
      idler?.requestStarted();
      await sleep(IDLE_MS * 3);
      expect(storage.getStore()).toBe('state');
      idler?.requestEnded();
    });
  });

  it('puts the prototype back when uninstalled', () => {
    const before = AsyncLocalStorage.prototype.run;
    const installed = installAsyncStorageIdler(IDLE_MS);
    expect(AsyncLocalStorage.prototype.run).not.toBe(before);
    installed.uninstall();
    expect(AsyncLocalStorage.prototype.run).toBe(before);
  });
});
