import type { Server, Socket } from "socket.io";
import { checkOrigin } from "@/lib/api/check-origin";
import { hasRole } from "@/lib/auth/roles";
import { getSessionUser, readSessionToken, type SessionUser, tokenId } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import type { RoomDefinition } from "./define-room";
import { type ClientToServerEvents, type JoinAck, parseRoom, type RoomFamily, type ServerToClientEvents } from "./events";
import { sessionSocketsRoom, setIo, socketConnected, socketGone, userSocketsRoom } from "./io-registry";

/** How often every open socket's session is checked again (expiry, and changes made outside this process). */
const RECHECK_MS = 60_000;

/**
 * Engine.IO's heartbeat: the server pings every `pingInterval` and drops a socket whose pong has not come
 * `pingTimeout` later. A closed tab or browser ends its socket at once (TCP close); these bound how long a
 * client that vanished without closing (network cut, laptop suspended) keeps its presence: about 10 s instead
 * of Socket.IO's default 45 s. The cost is one small packet each way per socket every 5 s.
 */
export const SOCKET_HEARTBEAT = { pingInterval: 5_000, pingTimeout: 5_000 } as const;

type Ack = (r: JoinAck) => void;
export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents>;

/**
 * Authenticates every Socket.IO connection with the session cookie (and refuses foreign origins), and
 * checks the session and the role again on every `join`. Sign-out, a password or role change and disabling an
 * account disconnect the user's sockets at once (endSockets); a periodic re-check ends the sockets of sessions
 * that expired.
 */
export function attachSocketServer(io: RealtimeServer, rooms: { [F in RoomFamily]: RoomDefinition<F> }): void {
  io.use(async (socket, next) => {
    try {
      const headers = new Headers();
      for (const [k, v] of Object.entries(socket.handshake.headers)) if (typeof v === "string") headers.set(k, v);
      checkOrigin(headers);
      const user = await getSessionUser(readSessionToken(socket.handshake.headers.cookie));
      if (!user) return next(new Error("unauthenticated"));
      socket.data.user = user;
      next();
    } catch (e) {
      next(new Error(isAppError(e) ? e.code : "internal"));
    }
  });

  io.on("connection", (socket: Socket<ClientToServerEvents, ServerToClientEvents>) => {
    const token = readSessionToken(socket.handshake.headers.cookie);
    socketConnected(socket.id, (socket.data.user as SessionUser).id);
    socket.on("disconnect", () => socketGone(socket.id));
    void socket.join([userSocketsRoom((socket.data.user as SessionUser).id), ...(token ? [sessionSocketsRoom(tokenId(token))] : [])]);
    socket.on("join", async (room: unknown, ack?: Ack) => {
      const reply: Ack = typeof ack === "function" ? ack : () => {};
      try {
        if (typeof room !== "string" || room.length > 300) return reply({ ok: false, error: "bad room name" });
        const parsed = parseRoom(room);
        if (!parsed) return reply({ ok: false, error: `unknown room ${room}` });
        const def = rooms[parsed.family] as RoomDefinition;
        const user = await getSessionUser(readSessionToken(socket.handshake.headers.cookie));
        if (!user) {
          reply({ ok: false, error: "unauthenticated" });
          return void socket.disconnect(true);
        }
        if (!hasRole(user, def.role)) return reply({ ok: false, error: `forbidden: ${room} needs the ${def.role} role` });
        socket.data.user = user satisfies SessionUser;
        // Join before the replay so nothing emitted in between is lost (clients dedupe the overlap).
        await socket.join(room);
        try {
          const emit = socket.emit.bind(socket) as (event: string, ...args: unknown[]) => boolean;
          await def.onJoin?.({ user, emit: (event, payload) => void emit(event, room, payload) }, parsed.id);
        } catch (e) {
          await socket.leave(room);
          throw e;
        }
        reply({ ok: true });
      } catch (e) {
        if (!isAppError(e)) console.error("socket join failed", e);
        reply({ ok: false, error: isAppError(e) ? e.message : "internal error" });
      }
    });
    // Room messages are checked one after another so keystrokes reach the shell in the order they were typed.
    let sendQueue: Promise<void> = Promise.resolve();
    socket.on("room:send", (room: unknown, event: unknown, data: unknown) => {
      sendQueue = sendQueue.then(() => handleRoomMessage(room, event, data));
    });
    const handleRoomMessage = async (room: unknown, event: unknown, data: unknown): Promise<void> => {
      try {
        if (typeof room !== "string" || typeof event !== "string" || !socket.rooms.has(room)) return;
        const parsed = parseRoom(room);
        if (!parsed) return;
        const def = rooms[parsed.family] as RoomDefinition;
        const handler = (
          def.on as Record<string, ((from: { user: SessionUser }, id: string, data: unknown) => void) | undefined> | undefined
        )?.[event];
        if (!handler || !Object.hasOwn(def.on as object, event)) return;
        // Same checks as join: the session must still be valid and the role still held.
        const user = await getSessionUser(readSessionToken(socket.handshake.headers.cookie));
        if (!user) return void socket.disconnect(true);
        if (!hasRole(user, def.role)) return void (await socket.leave(room));
        socket.data.user = user satisfies SessionUser;
        handler({ user }, parsed.id, data);
      } catch (e) {
        console.error(`socket message ${String(event)} to ${String(room)} failed`, e);
      }
    };
    socket.on("leave", (room: unknown) => {
      if (typeof room === "string" && !room.startsWith("_")) void socket.leave(room);
    });
  });
  const recheck = setInterval(() => void recheckSessions(io).catch((e) => console.error("socket session re-check failed", e)), RECHECK_MS);
  recheck.unref();
  setIo(io);
}

async function recheckSessions(io: RealtimeServer): Promise<void> {
  for (const socket of await io.fetchSockets()) {
    if (!(await getSessionUser(readSessionToken(socket.handshake.headers.cookie)))) socket.disconnect(true);
  }
}
