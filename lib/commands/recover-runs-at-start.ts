import fs from "node:fs";
import { removePidsCgroupsOf } from "@/lib/chroot/pids-cgroup";
import { killStaleSandboxes } from "@/lib/chroot/stale-runs";
import { prisma } from "@/lib/db/client";

/**
 * Start-up, before any job starts: commands and shells the previous process left running are ended. Their
 * sandboxes are killed by run directory (which ends their namespaces and so every mount and process in
 * them), their overlay scratch is removed (what they changed never reached the tree) and they are recorded
 * as interrupted. Effects still pending from finished runs are kept: they can be applied after a restart.
 */
export async function recoverRunsAtStart(log: (line: string) => void = () => {}): Promise<number> {
  const stale = await prisma.commandRun.findMany({ where: { state: "running" } });
  const dirs = stale.map((r) => r.runDir).filter((d): d is string => !!d);
  const killed = await killStaleSandboxes(dirs);
  if (killed.length) log(`killed ${killed.length} process(es) of commands left running by the previous server`);
  for (const r of stale) {
    if (r.runDir) fs.rmSync(r.runDir, { recursive: true, force: true });
    await prisma.commandRun.update({
      where: { id: r.id },
      data: {
        state: "interrupted",
        finishedAt: new Date(),
        effectState: r.mode === "direct" ? "lost" : "discarded",
        runDir: null,
        error:
          r.mode === "direct"
            ? "The server stopped while this ran directly in the tree (no overlayfs); what it changed so far stays in the tree and shows on the Changes page."
            : "The server stopped while this ran; it was killed and what it changed in its overlay was discarded (the tree is unchanged).",
      },
    });
  }
  await removePidsCgroupsOf(stale.map((r) => r.id));
  return stale.length;
}
