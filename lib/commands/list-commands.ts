import type { SessionUser } from "@/lib/auth/session";
import { overlayUnusableReason } from "@/lib/chroot/overlay-probe";
import { prisma } from "@/lib/db/client";
import { toCommandRunDto } from "@/lib/db/command-runs";
import { getImageTree } from "@/lib/files/image-tree";
import { runsDirFor } from "./run-paths";

/** The image's commands and shells, newest first (the last 200), whether overlays work there, and the caller's open shell. */
export async function listCommands(image: string, user: SessionUser) {
  const rows = await prisma.commandRun.findMany({ where: { image }, orderBy: { startedAt: "desc" }, take: 200 });
  let reason: string | null;
  try {
    reason = await overlayUnusableReason(runsDirFor(await getImageTree(image)));
  } catch (e) {
    reason = (e as Error).message;
  }
  const open = rows.find((r) => r.kind === "shell" && r.state === "running" && r.userId === user.id) ?? null;
  return { runs: rows.map(toCommandRunDto), overlay: { usable: reason === null, reason }, openShell: open && toCommandRunDto(open) };
}
