import type { SessionUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { room } from "@/lib/realtime/events";
import { emitTo } from "@/lib/realtime/io-registry";

export type PresenceEntry = { clientId: string; username: string; files: string[]; at: number };

/** A browser tab's presence expires this long after its last heartbeat (tabs send one every 10 s). */
const TTL_MS = 30_000;
/**
 * Bounds of the in-memory store, so heartbeats with made-up image names or tab ids cannot grow it without
 * end: tabs per user and image (the oldest is dropped), tabs per image and images (refused past it).
 */
export const PRESENCE_LIMITS = { tabsPerUser: 20, tabsPerImage: 500, images: 1000 } as const;

// On globalThis: route handlers (bundled by Next) and the socket server (server.ts) share one process.
const g = globalThis as unknown as { rootimgPresence?: Map<string, Map<string, PresenceEntry>> };
const store = (g.rootimgPresence ??= new Map());

export function listPresence(image: string): Omit<PresenceEntry, "at">[] {
  const m = store.get(image);
  if (!m) return [];
  const now = Date.now();
  for (const [k, v] of m) if (now - v.at > TTL_MS) m.delete(k);
  return [...m.values()].map(({ clientId, username, files }) => ({ clientId, username, files }));
}

/** Records which files one tab has open and tells the room `image:<name>` when that changed. */
export function updatePresence(o: { image: string; user: SessionUser; clientId: string; files: string[] }): Omit<PresenceEntry, "at">[] {
  let m = store.get(o.image);
  if (!m) {
    if (store.size >= PRESENCE_LIMITS.images) sweepExpired();
    if (store.size >= PRESENCE_LIMITS.images) throw new AppError("rate_limited", "Too many images have open editors right now; retry in a minute.", { details: { retryAfterSeconds: 30 } });
    store.set(o.image, (m = new Map()));
  }
  const key = `${o.user.id}:${o.clientId}`;
  const prev = m.get(key);
  if (!prev) {
    listPresence(o.image); // drops expired tabs first
    const own = [...m.entries()].filter(([k]) => k.startsWith(`${o.user.id}:`)).sort((a, b) => a[1].at - b[1].at);
    if (own.length >= PRESENCE_LIMITS.tabsPerUser) m.delete(own[0][0]);
    if (m.size >= PRESENCE_LIMITS.tabsPerImage) throw new AppError("rate_limited", "Too many open tabs on this image; retry in a minute.", { details: { retryAfterSeconds: 30 } });
  }
  const files = [...new Set(o.files)].sort();
  m.set(key, { clientId: o.clientId, username: o.user.username, files, at: Date.now() });
  const list = listPresence(o.image);
  if (!prev || prev.files.join("\0") !== files.join("\0")) emitTo(room.image(o.image), "files:presence", { users: list });
  return list;
}

function sweepExpired(): void {
  for (const [image, m] of store) {
    listPresence(image);
    if (m.size === 0) store.delete(image);
  }
}

/** Removes one tab at once (its page was closed or reloaded) instead of letting it expire after the TTL. */
export function leavePresence(o: { image: string; user: SessionUser; clientId: string }): Omit<PresenceEntry, "at">[] {
  const m = store.get(o.image);
  const removed = m?.delete(`${o.user.id}:${o.clientId}`) ?? false;
  const list = listPresence(o.image);
  if (removed) emitTo(room.image(o.image), "files:presence", { users: list });
  return list;
}
