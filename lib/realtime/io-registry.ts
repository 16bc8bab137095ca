import type { Room, RoomEventName, RoomFamily, RoomPayload } from "./events";

/**
 * Where lib code finds the Socket.IO server without importing server.ts. State lives on globalThis: Next
 * bundles route handlers separately from the modules server.ts loads, and both must see the same server.
 */
export type RoomEmitter = {
  to(room: string): { emit(event: string, ...args: unknown[]): unknown };
  /** present on the real server: ends every socket in a room */
  in?(room: string): { disconnectSockets(close?: boolean): unknown };
};

const g = globalThis as unknown as {
  rootimgIo?: RoomEmitter;
  /** connected socket id -> its user's id */
  rootimgSocketUsers?: Map<string, string>;
  /** what to do when a socket ends, by the name of the module that asked (one entry per module, however often it is loaded) */
  rootimgSocketGone?: Map<string, (socketId: string) => void>;
};
const socketUsers = (g.rootimgSocketUsers ??= new Map());
const goneListeners = (g.rootimgSocketGone ??= new Map());

export function setIo(io: RoomEmitter | undefined): void {
  g.rootimgIo = io;
}

/**
 * Rooms every socket is put in at connect, by the server only (clients can join only the families listed in
 * rooms.ts): all sockets of one user, and all sockets opened with one session.
 */
export const userSocketsRoom = (userId: string) => `_user:${userId}`;
export const sessionSocketsRoom = (sessionId: string) => `_session:${sessionId}`;

/**
 * Disconnects at once every socket of a user (their password, role or account changed) or of one session
 * (sign-out): they leave all their rooms, so no further event reaches them. A no-op without a socket server.
 */
export function endSockets(target: { userId: string } | { sessionId: string }): void {
  g.rootimgIo?.in?.("userId" in target ? userSocketsRoom(target.userId) : sessionSocketsRoom(target.sessionId)).disconnectSockets(true);
}

/**
 * Sends `event` to everyone in `room`, as `(roomName, payload)` (see lib/realtime/events.ts); a no-op when
 * no socket server runs (scripts, unit tests without one).
 */
export function emitTo<F extends RoomFamily, E extends RoomEventName<F>>(to: Room<F>, event: E, payload: RoomPayload<F, E>): void {
  g.rootimgIo?.to(to).emit(event, to, payload);
}

/** Called by the socket server when an authenticated socket connects. */
export function socketConnected(socketId: string, userId: string): void {
  socketUsers.set(socketId, userId);
}

/** Called by the socket server when a socket ends (closed, or silent past the ping timeout): runs the listeners. */
export function socketGone(socketId: string): void {
  socketUsers.delete(socketId);
  for (const [name, fn] of goneListeners) {
    try {
      fn(socketId);
    } catch (e) {
      console.error(`socket-gone listener ${name} failed`, e);
    }
  }
}

/** The user a connected socket belongs to, or undefined when no such socket is connected. */
export function socketUserId(socketId: string): string | undefined {
  return socketUsers.get(socketId);
}

/**
 * Runs `fn` whenever a socket ends. `name` keys the listener: a module bundled twice (route handlers and
 * server.ts) registers once.
 */
export function onSocketGone(name: string, fn: (socketId: string) => void): void {
  goneListeners.set(name, fn);
}
