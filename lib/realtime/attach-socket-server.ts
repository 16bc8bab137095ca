import type { Server, Socket } from "socket.io";
import { checkOrigin } from "@/lib/api/check-origin";
import { hasRole } from "@/lib/auth/roles";
import { getSessionUser, readSessionToken, type SessionUser } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import type { RoomDefinition } from "./define-room";
import { setIo } from "./io-registry";

type Ack = (r: { ok: true } | { ok: false; error: string }) => void;

/**
 * Authenticates every Socket.IO connection with the session cookie (and refuses foreign origins), and
 * checks the session and the role again on every `join`, so a disabled account or a downgraded role takes
 * effect without a reconnect.
 */
export function attachSocketServer(io: Server, rooms: RoomDefinition[]): void {
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

  io.on("connection", (socket: Socket) => {
    socket.on("join", async (room: unknown, ack?: Ack) => {
      const reply: Ack = typeof ack === "function" ? ack : () => {};
      try {
        if (typeof room !== "string" || room.length > 300) return reply({ ok: false, error: "bad room name" });
        const sep = room.indexOf(":");
        const def = rooms.find((r) => r.prefix === room.slice(0, sep));
        if (sep < 1 || !def) return reply({ ok: false, error: `unknown room ${room}` });
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
          await def.onJoin?.({ user, emit: (event, data) => socket.emit(event, data) }, room.slice(sep + 1));
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
    socket.on("room:send", (room: unknown, event: unknown, data: unknown) => {
      if (typeof room !== "string" || typeof event !== "string" || !socket.rooms.has(room)) return;
      const sep = room.indexOf(":");
      const handler = rooms.find((r) => r.prefix === room.slice(0, sep))?.on?.[event];
      const user = socket.data.user as SessionUser | undefined;
      if (!handler || !user) return;
      try {
        handler({ user }, room.slice(sep + 1), data);
      } catch (e) {
        console.error(`socket message ${event} to ${room} failed`, e);
      }
    });
    socket.on("leave", (room: unknown) => {
      if (typeof room === "string") void socket.leave(room);
    });
  });
  setIo(io);
}
