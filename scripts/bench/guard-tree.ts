// How quickly a guarded tree steps out of the way of a process that takes xCAT's image lock, and how quickly it is
// protected again once that process exits. Not a test; run by hand, as root:
//   node --import tsx scripts/bench/guard-tree.ts
// The holder does what rh genimage does: flock the lock file, then write its pid into it (util-linux flock running
// `sh -c 'printf %s $$ > FILE; exec sleep 60'`), and keeps the lock 2.5 s, past the checks that follow a change
// of the file. Times: from the holder's spawn and from its pid landing in the file, to nosuid,nodev gone from
// /proc/self/mountinfo (polled every 2 ms); from the holder's exit to the options back. BENCH_REPS (default 10).
// Prints medians and maxima, with the load average before and after.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { guardTree, unguardTree } from "@/lib/images/guard-tree";
import { mountAt, protectTree, releaseTree } from "@/lib/images/tree-mount";
import { lockPathFor } from "@/lib/xcat/image-lock";

const reps = Number(process.env.BENCH_REPS ?? 10);
const base = fs.mkdtempSync(path.join(os.tmpdir(), "rootimg-guard-bench-"));
fs.chmodSync(base, 0o755);
const tree = path.join(base, "rootimg");
const lockDir = path.join(base, "lock");
fs.mkdirSync(tree);
const lockFile = lockPathFor(tree, lockDir);

const isProtected = () => {
  const o = mountAt(tree)?.options ?? [];
  return o.includes("nosuid") && o.includes("nodev");
};
const until = async (ok: () => boolean) => {
  for (let i = 0; i < 30_000 && !ok(); i++) await new Promise((r) => setTimeout(r, 2));
  if (!ok()) throw new Error("gave up after 60 s");
  return performance.now();
};
const kill = (p: ChildProcess) =>
  new Promise<number>((resolve) => {
    p.once("exit", () => resolve(performance.now()));
    process.kill(-p.pid!, "SIGKILL");
  });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs: number[]) => `median ${median(xs).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`;

const loadStart = os.loadavg();
if ((await protectTree(tree)).state !== "mounted") throw new Error("cannot mount (not root?)");
guardTree(tree, { lockDir, say: () => {} });
const fromSpawn: number[] = [];
const fromPid: number[] = [];
const back: number[] = [];
try {
  for (let i = 0; i < reps; i++) {
    fs.rmSync(lockFile, { force: true });
    const t0 = performance.now();
    const holder = spawn("flock", ["-n", lockFile, "sh", "-c", `printf %s $$ > '${lockFile}'; exec sleep 60`], {
      stdio: "ignore",
      detached: true,
    });
    const pidSeen = until(() => /^\d+$/.test(fs.existsSync(lockFile) ? fs.readFileSync(lockFile, "utf8") : ""));
    const loosened = await until(() => !isProtected());
    fromSpawn.push(loosened - t0);
    fromPid.push(loosened - (await pidSeen));
    // held for a while, as genimage does (past the guard's checks right after the file changed)
    await new Promise((r) => setTimeout(r, 2500));
    const gone = await kill(holder);
    back.push((await until(isProtected)) - gone);
  }
} finally {
  await unguardTree(tree);
  await releaseTree(tree);
  fs.rmSync(base, { recursive: true, force: true });
}
console.log(
  `reps ${reps}; load average ${loadStart.map((x) => x.toFixed(2)).join(" ")} -> ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}`,
);
console.log(`lock taken (holder spawned) -> nosuid,nodev lifted: ${fmt(fromSpawn)}`);
console.log(`pid seen in the lock file -> nosuid,nodev lifted: ${fmt(fromPid)}`);
console.log(`holder exited -> protected again: ${fmt(back)}`);
