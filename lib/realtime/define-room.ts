import type { Role } from "@/lib/auth/roles";
import type { SessionUser } from "@/lib/auth/session";
import type { RoomEventName, RoomFamily, RoomMessages, RoomPayload } from "./events";

/** What a room's join hook may do with the joining socket: send it the stored state before the live tail. */
export type JoiningSocket<F extends RoomFamily> = {
  user: SessionUser;
  emit<E extends RoomEventName<F>>(event: E, payload: RoomPayload<F, E>): void;
};

/**
 * The server side of a room family of lib/realtime/events.ts. Clients send `join` with a room name; the
 * server checks the session and `role`, joins, then calls `onJoin` to replay what the client missed.
 * Join first, replay second: anything emitted in between arrives twice and clients dedupe (by `seq` for logs).
 */
export type RoomDefinition<F extends RoomFamily = RoomFamily> = {
  family: F;
  role: Role;
  onJoin?: (socket: JoiningSocket<F>, id: string) => Promise<void>;
  /**
   * Messages a client in the room sends (`socket.emit("room:send", room, event, data)`), e.g. keystrokes
   * into a shell. Only sockets that joined the room reach these; the session and role are checked again per message.
   * `data` is untrusted: handlers validate it.
   */
  on?: F extends keyof RoomMessages
    ? { [E in keyof RoomMessages[F]]?: (from: { user: SessionUser }, id: string, data: unknown) => void }
    : never;
};

export function defineRoom<F extends RoomFamily>(def: RoomDefinition<F>): RoomDefinition<F> {
  return def;
}
