import type { SessionUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { room } from "@/lib/realtime/events";
import { emitTo, onSocketGone, socketUserId } from "@/lib/realtime/io-registry";

/** `socketId`: the tab's Socket.IO connection; the entry goes when that socket ends. */
export type PresenceEntry = { clientId: string; username: string; files: string[]; at: number; socketId?: string };

/**
 * A browser tab's presence expires this long after its last heartbeat (tabs send one every 10 s). That is the
 * fallback for a tab that gave no socket: a tab bound to its socket leaves when the socket ends (dropSocket).
 */
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

/**
 * Binds presence to the tab's socket only when that socket is connected and is the same user's: a made-up or
 * another user's socket id is ignored (the entry then lives by its heartbeats alone).
 */
function ownSocket(socketId: string | undefined, userId: string): string | undefined {
  return socketId && socketUserId(socketId) === userId ? socketId : undefined;
}

/** Records which files one tab has open and tells the room `image:<name>` when that changed. */
export function updatePresence(o: {
  image: string;
  user: SessionUser;
  clientId: string;
  files: string[];
  socketId?: string;
}): Omit<PresenceEntry, "at">[] {
  let m = store.get(o.image);
  if (!m) {
    if (store.size >= PRESENCE_LIMITS.images) sweepExpired();
    if (store.size >= PRESENCE_LIMITS.images)
      throw new AppError("rate_limited", "Too many images have open editors right now; retry in a minute.", {
        details: { retryAfterSeconds: 30 },
      });
    store.set(o.image, (m = new Map()));
  }
  const key = `${o.user.id}:${o.clientId}`;
  const prev = m.get(key);
  if (!prev) {
    listPresence(o.image); // drops expired tabs first
    const own = [...m.entries()].filter(([k]) => k.startsWith(`${o.user.id}:`)).sort((a, b) => a[1].at - b[1].at);
    if (own.length >= PRESENCE_LIMITS.tabsPerUser) m.delete(own[0][0]);
    if (m.size >= PRESENCE_LIMITS.tabsPerImage)
      throw new AppError("rate_limited", "Too many open tabs on this image; retry in a minute.", { details: { retryAfterSeconds: 30 } });
  }
  const files = [...new Set(o.files)].sort();
  // A reload keeps the tab's clientId and brings a new socket: the entry moves to it, so the old socket's end
  // (which may arrive after this heartbeat) no longer removes it.
  m.set(key, { clientId: o.clientId, username: o.user.username, files, at: Date.now(), socketId: ownSocket(o.socketId, o.user.id) });
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

/**
 * A socket ended (tab closed, browser killed, network gone past the ping timeout): the tabs bound to it leave
 * at once, without waiting for their heartbeats to expire.
 */
export function dropSocketPresence(socketId: string): void {
  for (const [image, m] of store) {
    let removed = false;
    for (const [k, v] of m) if (v.socketId === socketId && m.delete(k)) removed = true;
    if (removed) emitTo(room.image(image), "files:presence", { users: listPresence(image) });
    if (m.size === 0) store.delete(image);
  }
}

onSocketGone("files-presence", dropSocketPresence);
