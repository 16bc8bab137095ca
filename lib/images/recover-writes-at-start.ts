/**
 * At start-up (before any request): saves and uploads of hard-linked files the previous process did not finish
 * are finished or dropped (lib/image/staged-write.ts), so every name of such a file holds its old or its new
 * content; the temp files of writes cut earlier are removed from beside the tree. Each finished or dropped write
 * is logged and audited: its request never answered, and a write finished now has no audit entry of its own.
 */
import { recordAudit } from "@/lib/audit/record-audit";
import { prisma } from "@/lib/db/client";
import { type RecoveredWrite, recoverWrites } from "@/lib/image/staged-write";

const SAY: Record<RecoveredWrite["outcome"], string> = {
  forward:
    "the server stopped while the new content was being written in place; it was written again completely (every name of the file has it)",
  back: "the server stopped before the file was touched; it keeps its previous content, save or upload it again",
  gone: "the server stopped during the write, and the file is no longer there (or is another file); nothing was written",
};

export async function recoverWritesAtStart(opts: { image: string; tree: string; log: (line: string) => void }): Promise<RecoveredWrite[]> {
  const { writes, removed } = await recoverWrites(opts.tree);
  for (const w of writes) {
    opts.log(`images: ${opts.image}: interrupted write of ${w.path} (${w.size} bytes): ${SAY[w.outcome]}`);
    await prisma.$transaction((tx) =>
      recordAudit(tx, {
        user: null,
        action: "file.write.recover",
        image: opts.image,
        target: w.path,
        outcome: "ok",
        detail: { outcome: w.outcome, bytes: w.size, text: SAY[w.outcome] },
      }),
    );
  }
  if (removed.length)
    opts.log(`images: ${opts.image}: removed ${removed.length} temp file(s) of interrupted saves or uploads: ${removed.join(", ")}`);
  return writes;
}
