import type { Role } from "@/lib/auth/roles";
import type { SessionUser } from "@/lib/auth/session";

/** What a room's join hook may do with the joining socket: send it the stored state before the live tail. */
export type JoiningSocket = { user: SessionUser; emit(event: string, data: unknown): void };

/**
 * A family of Socket.IO rooms named `<prefix>:<id>` (e.g. `job:<id>`). Clients send `join` with the room name;
 * the server checks the session and `role`, joins, then calls `onJoin` to replay what the client missed.
 * Join first, replay second: anything emitted in between arrives twice and clients dedupe (by `seq` for logs).
 */
export type RoomDefinition = {
  prefix: string;
  role: Role;
  onJoin?: (socket: JoiningSocket, id: string) => Promise<void>;
  /**
   * Messages a client in the room sends (`socket.emit("room:send", room, event, data)`), e.g. keystrokes
   * into a shell. Only sockets that joined the room (session and role checked then) reach these.
   */
  on?: Record<string, (from: { user: SessionUser }, id: string, data: unknown) => void>;
};

export function defineRoom(def: RoomDefinition): RoomDefinition {
  return def;
}
