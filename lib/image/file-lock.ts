/**
 * One writer at a time per file inside this process. Saves and uploads wait for the attr tools and for
 * fsync without blocking the event loop, so two writes of the same inode could otherwise interleave
 * between the etag check and the rename. Keyed by `dev:ino` so two names of one hard-linked file share
 * the lock. On globalThis: Next's route bundles and server.ts may hold separate copies of this module.
 */
const g = globalThis as unknown as { rootimgFileLocks?: Map<string, Promise<void>> };
const tails = (g.rootimgFileLocks ??= new Map());

export function fileLockKey(st: { dev: number | bigint; ino: number | bigint }): string {
  return `${st.dev}:${st.ino}`;
}

/** Runs `fn` after every earlier holder of `key` finished (in call order); the lock is released even when `fn` throws. */
export async function withFileLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const prev = tails.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => (release = r));
  const tail = prev.then(() => mine);
  tails.set(key, tail);
  try {
    await prev;
    return await fn();
  } finally {
    release();
    // the last holder removes the key, so the map does not grow with every file ever saved
    if (tails.get(key) === tail) tails.delete(key);
  }
}
