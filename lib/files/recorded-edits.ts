import { prisma } from "@/lib/db/client";

/** A chroot command or shell whose applied effect touched the path. */
export type CommandSource = { id: string; kind: string; line: string; by: string; exitCode: number | null };
export type RecordedEdits = { by: string[]; lastAt: Date; edits: number; commands: CommandSource[] };

/** `etc/motd`, `./etc/motd`, `/etc/motd/` → `/etc/motd` (the diff's paths and the editor's paths compare equal). */
export const imagePathOf = (p: string) => `/${p.replace(/^\.\//, "").replace(/^\/+/, "")}`.replace(/\/+$/, "") || "/";

function pathsOf(row: { path: string; detail: string | null }): string[] {
  try {
    const extra = (JSON.parse(row.detail ?? "{}").paths ?? []) as unknown[];
    return [...new Set([row.path, ...extra.filter((p): p is string => typeof p === "string")])];
  } catch {
    return [row.path]; // a detail in another shape: the subject path is enough
  }
}

function commandOf(row: { detail: string | null; username: string }): CommandSource | undefined {
  try {
    const d = JSON.parse(row.detail ?? "{}") as { commandId?: unknown; commandKind?: unknown; line?: unknown; exitCode?: unknown };
    if (typeof d.commandId !== "string") return undefined;
    return {
      id: d.commandId,
      kind: typeof d.commandKind === "string" ? d.commandKind : "command",
      line: String(d.line ?? ""),
      by: row.username,
      exitCode: typeof d.exitCode === "number" ? d.exitCode : null,
    };
  } catch {
    return undefined;
  }
}

/**
 * The edits recorded through Rootimg Studio that are still pending in an image, by path: since the unpack,
 * and not yet published (a pack sets changeSet; a rollback to before an edit clears it again).
 */
export async function recordedEdits(image: string): Promise<Map<string, RecordedEdits>> {
  const ws = await prisma.workspace.findUnique({ where: { image }, select: { unpackedAt: true } });
  const rows = await prisma.pendingChange.findMany({
    where: { image, changeSet: null, ...(ws?.unpackedAt ? { at: { gte: ws.unpackedAt } } : {}) },
    orderBy: { id: "asc" },
    select: { path: true, detail: true, username: true, at: true, kind: true },
  });
  const out = new Map<string, RecordedEdits>();
  for (const r of rows) {
    const command = r.kind === "command" ? commandOf(r) : undefined;
    for (const p of pathsOf(r)) {
      const t = out.get(p) ?? { by: [], lastAt: r.at, edits: 0, commands: [] };
      if (!t.by.includes(r.username)) t.by.push(r.username);
      if (command && !t.commands.some((c) => c.id === command.id)) t.commands.push(command);
      t.lastAt = r.at;
      t.edits += 1;
      out.set(p, t);
    }
  }
  return out;
}
