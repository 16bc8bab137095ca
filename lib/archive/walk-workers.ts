import { Worker } from "node:worker_threads";

/** Stat fields sent per entry, in this order (walk-tree's EntryStat). */
export const STAT_FIELDS = 10;

/**
 * Worker source (eval'd, so it works the same from the esbuild bundle, tsx and vitest). Claims subtrees from a
 * shared counter and walks each exactly as walkTree does on the main thread (names sorted per directory, lstat,
 * -xdev), sending each subtree back packed: paths joined by NUL (no name holds one), ten stat numbers and one
 * type byte per entry. Type codes: 0 file, 1 dir, 2 symlink, 3 char, 4 block, 5 fifo, 6 socket.
 */
const CODE = `
const { parentPort, workerData } = require("node:worker_threads");
const { lstatSync, readdirSync } = require("node:fs");
const { root, subtrees, rootDev, xdev, counter } = workerData;
const next = new Int32Array(counter);
const S_IFMT = 0o170000;
const typeOf = (m) => {
  switch (m & S_IFMT) {
    case 0o100000: return 0;
    case 0o040000: return 1;
    case 0o120000: return 2;
    case 0o020000: return 3;
    case 0o060000: return 4;
    case 0o010000: return 5;
    default: return 6;
  }
};
for (;;) {
  const idx = Atomics.add(next, 0, 1);
  if (idx >= subtrees.length) break;
  const rels = [];
  let stats = new Float64Array(${STAT_FIELDS} * 1024);
  let types = new Uint8Array(1024);
  let n = 0;
  const visit = (dirRel) => {
    const dirAbs = root + "/" + dirRel;
    const names = readdirSync(dirAbs).sort();
    for (const name of names) {
      if (name.includes("\\uFFFD")) {
        const e = new Error("file name in " + dirAbs + " is not valid UTF-8 (" + JSON.stringify(name) + "); rename it before packing");
        e.archive = true;
        throw e;
      }
      const rel = dirRel + "/" + name;
      const st = lstatSync(root + "/" + rel);
      if (n === types.length) {
        const s2 = new Float64Array(stats.length * 2); s2.set(stats); stats = s2;
        const t2 = new Uint8Array(types.length * 2); t2.set(types); types = t2;
      }
      const o = n * ${STAT_FIELDS};
      stats[o] = st.dev; stats[o + 1] = st.ino; stats[o + 2] = st.mode; stats[o + 3] = st.nlink; stats[o + 4] = st.uid;
      stats[o + 5] = st.gid; stats[o + 6] = st.rdev; stats[o + 7] = st.size; stats[o + 8] = st.mtimeMs; stats[o + 9] = st.ctimeMs;
      const t = typeOf(st.mode);
      types[n++] = t;
      rels.push(rel);
      if (t === 1 && (!xdev || st.dev === rootDev)) visit(rel);
    }
  };
  try {
    visit(subtrees[idx]);
  } catch (e) {
    parentPort.postMessage({ idx, error: String(e && e.message), code: e && e.code, archive: !!(e && e.archive) });
    break;
  }
  const s = stats.slice(0, n * ${STAT_FIELDS});
  const t = types.slice(0, n);
  parentPort.postMessage({ idx, paths: rels.join("\\0"), stats: s, types: t }, [s.buffer, t.buffer]);
}`;

/** One walked subtree: its entries below the subtree's directory (not the directory itself), in walk order. */
export type PackedSubtree = { paths: string[]; stats: Float64Array; types: Uint8Array };

export class WalkWorkerError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly archive: boolean,
  ) {
    super(message);
  }
}

/**
 * Walks the given subtrees (paths relative to `root`, directories already known to be entered) on `threads`
 * worker threads. Each thread runs synchronous lstat/readdir calls back to back (no libuv round trip per call) and
 * the main thread stays free; the results come back in subtree order.
 */
export async function walkSubtrees(o: {
  root: string;
  subtrees: string[];
  rootDev: number;
  xdev: boolean;
  threads: number;
}): Promise<PackedSubtree[]> {
  const counter = new SharedArrayBuffer(4);
  const out: (PackedSubtree | undefined)[] = new Array(o.subtrees.length);
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let running = 0;
      let failed = false;
      const fail = (e: Error) => {
        if (failed) return;
        failed = true;
        reject(e);
      };
      for (let i = 0; i < Math.min(o.threads, o.subtrees.length); i++) {
        const w = new Worker(CODE, {
          eval: true,
          // Plain CommonJS: without the parent's flags a worker does not load the parent's loaders (tsx under the
          // server and vitest costs ~0.1-0.2 s of CPU per thread).
          execArgv: [],
          // A small young generation: the Stats objects die at once, and each thread's heap adds to the process's RSS.
          resourceLimits: { maxYoungGenerationSizeMb: 4 },
          workerData: { root: o.root, subtrees: o.subtrees, rootDev: o.rootDev, xdev: o.xdev, counter },
        });
        workers.push(w);
        running++;
        w.on(
          "message",
          (m: {
            idx: number;
            paths?: string;
            stats?: Float64Array;
            types?: Uint8Array;
            error?: string;
            code?: string;
            archive?: boolean;
          }) => {
            if (m.error !== undefined) return fail(new WalkWorkerError(m.error, m.code, !!m.archive));
            out[m.idx] = { paths: m.paths ? m.paths.split("\0") : [], stats: m.stats!, types: m.types! };
          },
        );
        w.on("error", fail);
        w.on("exit", () => {
          if (--running === 0 && !failed) resolve();
        });
      }
    });
  } finally {
    for (const w of workers) void w.terminate();
  }
  return out.map((s, i) => {
    if (!s) throw new WalkWorkerError(`the walk of ${o.subtrees[i]} returned nothing`, undefined, false);
    return s;
  });
}
