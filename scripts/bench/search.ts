// File name search: time of the worst accepted patterns over a big tree (the bench image's tree when it is
// built, else a generated tree of BENCH_NAMES names), and the longest event-loop stall while it runs; beside
// it, the admin's own tool on the same tree and pattern (`find TREE -iname PATTERN`), as a ratio.
// Run: node --import tsx scripts/bench/search.ts [TREE]
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { GLOB_LIMITS } from "../../lib/image/glob-match";
import { searchNames } from "../../lib/image/search-names";

const given = process.argv[2] ?? (fs.existsSync(".cache/bench/image/rootimg") ? ".cache/bench/image/rootimg" : undefined);
let root = given;
let made: string | undefined;
if (!root) {
  const count = Number(process.env.BENCH_NAMES ?? 100_000);
  made = root = fs.mkdtempSync(path.join(os.tmpdir(), "rootimg-search-bench-"));
  // 1,000 directories of 100 names; names of 8 to 120 characters, like a root image's
  for (let d = 0; d < count / 100; d++) {
    const dir = path.join(root, `usr/share/d${String(d).padStart(4, "0")}`);
    fs.mkdirSync(dir, { recursive: true });
    for (let f = 0; f < 100; f++) {
      const len = 8 + (((d * 100 + f) * 7919) % 113);
      const name = `${"abcdefghijklmnopqrstuvwxyz0123456789-._".repeat(4)}`.slice(f % 20, (f % 20) + len);
      fs.writeFileSync(path.join(dir, `${f}${name}`), "");
    }
  }
}

const patterns = [
  "ssh",
  "*.conf",
  `${"*?".repeat(GLOB_LIMITS.maxStars - 1)}*#`,
  `*${"?".repeat(60)}*${"?".repeat(60)}*#`,
  `*${"a?".repeat(30)}*${"b?".repeat(30)}*`,
  `${"*a".repeat(GLOB_LIMITS.maxStars)}`,
];
const h = monitorEventLoopDelay({ resolution: 5 });
for (const q of patterns) {
  h.reset();
  h.enable();
  const t0 = performance.now();
  const r = await searchNames({ root, query: q, limit: 1000 });
  const ms = performance.now() - t0;
  h.disable();
  // find -iname matches the whole name; a plain word is a substring search in the product
  const glob = /[*?]/.test(q) ? q : `*${q}*`;
  const f0 = performance.now();
  const find = spawnSync("find", [root, "-iname", glob], { stdio: ["ignore", "ignore", "ignore"], timeout: 120_000 });
  const findMs = performance.now() - f0;
  const findText =
    find.error || find.signal
      ? `find stopped after ${findMs.toFixed(0)} ms`
      : `find ${findMs.toFixed(0)} ms (x${(ms / findMs).toFixed(2)})`;
  console.log(
    `${ms.toFixed(0).padStart(6)} ms  ${findText}  visited ${r.visited}  hits ${r.hits.length}${r.truncated ? " (truncated)" : ""}  dirs read ${r.dirsRead}  max loop stall ${(h.max / 1e6).toFixed(0)} ms  ${q.length > 60 ? `${q.slice(0, 57)}...` : q}`,
  );
}
if (made) fs.rmSync(made, { recursive: true, force: true });
