// Measures the file browser API: list a 10,000-entry directory, open a 100 KB file, save it.
// Called by scripts/bench/files (which starts a server); prints a markdown table and writes JSON.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const url = process.env.BENCH_URL as string;
const image = process.env.BENCH_IMAGE_NAME ?? "bench-debootstrap";
const tree = process.env.BENCH_TREE as string;
const N = Number(process.env.BENCH_N ?? 200);
if (!url || !tree) throw new Error("BENCH_URL and BENCH_TREE are required (scripts/bench/files sets them)");

// Fixtures inside the image: a directory of 10,000 small files and a 100 KB text file (removed at the end).
const scratch = path.join(tree, "var/tmp/rootimg-bench-files");
fs.rmSync(scratch, { recursive: true, force: true });
fs.mkdirSync(path.join(scratch, "many"), { recursive: true });
for (let i = 0; i < 10_000; i++) fs.writeFileSync(path.join(scratch, "many", `entry-${String(i).padStart(5, "0")}.conf`), "x\n");
const line = "option value = 0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ\n";
fs.writeFileSync(path.join(scratch, "big.conf"), line.repeat(Math.ceil((100 * 1024) / line.length)).slice(0, 100 * 1024));

const login = await fetch(`${url}/api/auth/login`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ username: process.env.BENCH_USER ?? "admin", password: process.env.BENCH_PASSWORD }),
});
if (!login.ok) throw new Error(`login failed: ${login.status} ${await login.text()}`);
const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0];
const base = `${url}/api/images/${image}/files`;
const vpath = "/var/tmp/rootimg-bench-files";

async function timed(fn: () => Promise<void>): Promise<number[]> {
  for (let i = 0; i < 5; i++) await fn(); // warm-up: route compilation, page cache
  const ms: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return ms.sort((a, b) => a - b);
}
const pct = (s: number[], p: number) => s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];

async function ok(r: Response, what: string) {
  if (!r.ok) throw new Error(`${what}: ${r.status} ${await r.text()}`);
  return r.json();
}

const load0 = os.loadavg();
let entries = 0;
const list = await timed(async () => {
  entries = (await ok(await fetch(`${base}/list?path=${vpath}/many`, { headers: { cookie } }), "list")).entries.length;
});
let etag = "";
let content = "";
const open = await timed(async () => {
  const j = await ok(await fetch(`${base}/content?path=${vpath}/big.conf`, { headers: { cookie } }), "open");
  etag = j.etag;
  content = j.content;
});
let n = 0;
const save = await timed(async () => {
  const body = JSON.stringify({
    path: `${vpath}/big.conf`,
    content: `${content.slice(0, -20)}${String(++n).padStart(19, "0")}\n`,
    encoding: "utf-8",
  });
  const j = await ok(
    await fetch(`${base}/content`, {
      method: "PUT",
      headers: { cookie, "content-type": "application/json", "if-match": `"${etag}"`, origin: url },
      body,
    }),
    "save",
  );
  etag = j.etag;
});
fs.rmSync(scratch, { recursive: true, force: true });

const rows = [
  { step: `list a directory of ${entries} entries`, s: list, target: 100 },
  { step: "open a 100 KB file", s: open, target: 50 },
  { step: "save a 100 KB file", s: save, target: 50 },
];
console.log(
  `load average before/after: ${load0.map((x) => x.toFixed(1)).join(" ")} / ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(" ")} (${os.cpus().length} CPUs; other processes slow every number)`,
);
console.log(`| step (${N} requests each) | p50 ms | p95 ms | target p95 |\n|---|---|---|---|`);
for (const r of rows)
  console.log(
    `| ${r.step} | ${pct(r.s, 50).toFixed(1)} | ${pct(r.s, 95).toFixed(1)} | < ${r.target} ms ${pct(r.s, 95) < r.target ? "✓" : "✗"} |`,
  );
const out = path.resolve(".cache/bench/files-result.json");
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(
  out,
  JSON.stringify(
    {
      at: new Date().toISOString(),
      n: N,
      loadavgBefore: load0,
      loadavgAfter: os.loadavg(),
      steps: rows.map((r) => ({ step: r.step, p50: pct(r.s, 50), p95: pct(r.s, 95), targetP95: r.target })),
    },
    null,
    2,
  ),
);
