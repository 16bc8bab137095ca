import { hasRole } from "@/lib/auth/roles";
import { prisma } from "@/lib/db/client";
import { getCommandRunOrThrow } from "@/lib/db/command-runs";
import { AppError } from "@/lib/errors";
import { defineRoom } from "@/lib/realtime/define-room";
import { resizeShell, shellSessions, writeToShell } from "./shell-session";

/**
 * `shell:<id>`: the terminal of an open shell. Its owner (and an admin, who may watch and end it) joins and
 * first gets the recent output (so a reload or a reconnect shows the same screen), then the live stream.
 * Keystrokes and resizes come back as room messages and are taken from the owner only.
 */
export const shellRoom = defineRoom({
  family: "shell",
  role: "editor",
  async onJoin(socket, id) {
    const row = await prisma.commandRun.findUnique({ where: { id } });
    if (row?.kind !== "shell") throw new AppError("not_found", `No shell ${id}.`);
    if (row.userId !== socket.user.id && !hasRole(socket.user, "admin"))
      throw new AppError("forbidden", `Shell ${id} belongs to ${row.username}.`);
    const s = shellSessions.get(id);
    if (s) socket.emit("shell:output", { id, data: s.recent, replay: true });
    else {
      const done = await getCommandRunOrThrow(row.image, id);
      socket.emit("shell:exit", { id, note: done.error ?? `exited with status ${done.exitCode}`, effectState: done.effectState });
    }
  },
  on: {
    input: (from, id, data) => writeToShell(id, from.user.id, data),
    resize: (from, id, size) => resizeShell(id, from.user.id, size),
  },
});
