import "@/lib/db/test-database";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createPidsCgroup, removePidsCgroup } from "@/lib/chroot/pids-cgroup";
import { prepareRunDir, runInChroot } from "@/lib/chroot/run-in-chroot";
import { findSandboxProcesses } from "@/lib/chroot/stale-runs";
import { makeBusyboxTree } from "@/lib/chroot/test-tree";
import { prisma } from "@/lib/db/client";
import { recoverRunsAtStart } from "./recover-runs-at-start";

let img: ReturnType<typeof makeBusyboxTree> | undefined;
afterEach(() => img?.cleanup());

describe("recoverRunsAtStart", () => {
  it("kills a command a dead server left running, removes its overlay and records it as interrupted", async () => {
    img = makeBusyboxTree();
    const row = await prisma.commandRun.create({ data: { image: "img", line: "sleep 300", username: "alice", mode: "overlay" } });
    const runDir = img.runDir(row.id);
    await prisma.commandRun.update({ where: { id: row.id }, data: { runDir } });
    prepareRunDir(runDir);
    // the "dead server's" command: started here, never cancelled by us
    let output = "";
    const running = runInChroot({
      tree: img.tree,
      runDir,
      runId: row.id,
      mode: "overlay",
      proc: true,
      argv: ["/bin/sh", "-c", "echo x > /etc/motd; echo up; sleep 300"],
      onOutput: (_, t) => (output += t),
    });
    for (let i = 0; i < 200 && !output.includes("up"); i++) await new Promise((r) => setTimeout(r, 25));
    const done = await prisma.commandRun.create({
      data: {
        image: "img",
        line: "true",
        username: "bob",
        state: "exited",
        exitCode: 0,
        effectState: "pending",
        runDir: img.runDir("kept"),
      },
    });

    // a run of the dead server whose processes are gone left its pids group; another server's run has just
    // made its group and not joined it yet: both groups are empty, only the first may go
    const gone = await prisma.commandRun.create({ data: { image: "img", line: "true", username: "alice", mode: "overlay" } });
    const deadGroup = createPidsCgroup(gone.id, 64);
    const othersGroup = createPidsCgroup(`another-server-${gone.id}`, 64);
    expect([deadGroup, othersGroup].every((d) => d && fs.existsSync(d))).toBe(true);

    const logged: string[] = [];
    expect(await recoverRunsAtStart((l) => logged.push(l))).toBe(2);
    expect(fs.existsSync(deadGroup as string)).toBe(false);
    expect(fs.existsSync(othersGroup as string)).toBe(true);
    await removePidsCgroup(othersGroup as string);
    await running;
    expect(findSandboxProcesses([runDir])).toEqual([]);
    expect(fs.existsSync(runDir)).toBe(false);
    expect(fs.readFileSync("/proc/self/mountinfo", "utf8")).not.toContain(runDir);
    expect(fs.readFileSync(path.join(img.tree, "etc/motd"), "utf8")).toBe("welcome\n");
    expect(logged.join("\n")).toMatch(/killed \d+ process/);
    expect(await prisma.commandRun.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({
      state: "interrupted",
      effectState: "discarded",
      runDir: null,
    });
    // a finished run's pending effect survives a restart: it can still be applied
    expect(await prisma.commandRun.findUniqueOrThrow({ where: { id: done.id } })).toMatchObject({
      state: "exited",
      effectState: "pending",
    });
  });
});
