import type { Room, RoomEventName, RoomFamily, RoomPayload } from "./events";

/**
 * Where lib code finds the Socket.IO server without importing server.ts. State lives on globalThis: Next
 * bundles route handlers separately from the modules server.ts loads, and both must see the same server.
 */
export type RoomEmitter = { to(room: string): { emit(event: string, ...args: unknown[]): unknown } };

const g = globalThis as unknown as { rootimgIo?: RoomEmitter };

export function setIo(io: RoomEmitter | undefined): void {
  g.rootimgIo = io;
}

/**
 * Sends `event` to everyone in `room`, as `(roomName, payload)` (see lib/realtime/events.ts); a no-op when
 * no socket server runs (scripts, unit tests without one).
 */
export function emitTo<F extends RoomFamily, E extends RoomEventName<F>>(to: Room<F>, event: E, payload: RoomPayload<F, E>): void {
  g.rootimgIo?.to(to).emit(event, to, payload);
}
