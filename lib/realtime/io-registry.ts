/**
 * Where lib code finds the Socket.IO server without importing server.ts. State lives on globalThis: Next
 * bundles route handlers separately from the modules server.ts loads, and both must see the same server.
 */
export type RoomEmitter = { to(room: string): { emit(event: string, ...args: unknown[]): unknown } };

const g = globalThis as unknown as { rootimgIo?: RoomEmitter };

export function setIo(io: RoomEmitter | undefined): void {
  g.rootimgIo = io;
}

/** Emits to everyone in `room`; a no-op when no socket server runs (scripts, unit tests without one). */
export function emitTo(room: string, event: string, data: unknown): void {
  g.rootimgIo?.to(room).emit(event, data);
}
