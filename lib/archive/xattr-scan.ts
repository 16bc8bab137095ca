import { run } from "./spawn-batch.ts";

const ARG_BUDGET = 512 * 1024;

/** getfattr escapes odd bytes in names as \ooo octal. */
function unescapeName(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "\\" && /^[0-7]{3}$/.test(s.slice(i + 1, i + 4))) {
      bytes.push(Number.parseInt(s.slice(i + 1, i + 4), 8));
      i += 3;
    } else for (const b of Buffer.from(s[i])) bytes.push(b);
  }
  return Buffer.from(bytes).toString("utf8");
}

/**
 * Lists extended attributes (file capabilities, POSIX ACLs, SELinux labels, user.*) of the given absolute paths,
 * which newc cpio silently drops. Spawns `getfattr -h -d -m - --absolute-names` with argv batches (no shell).
 * Returns path -> attribute names.
 */
export async function scanXattrs(paths: Iterable<string>): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  // Batches are cut as the paths come (a generator over a big tree's entries never lists them all at once).
  function* batches(): Generator<string[]> {
    let cur: string[] = [];
    let size = 0;
    for (const p of paths) {
      if (size + p.length + 1 > ARG_BUDGET && cur.length) {
        yield cur;
        cur = [];
        size = 0;
      }
      cur.push(p);
      size += p.length + 1;
    }
    if (cur.length) yield cur;
  }
  // One getfattr at a time: a big image makes dozens of batches, and all at once they were dozens of processes
  // (each a few MB) competing with the compressors for memory and cores.
  for (const batch of batches()) {
    let r: Awaited<ReturnType<typeof run>>;
    try {
      r = await run("getfattr", ["-h", "-d", "-m", "-", "--absolute-names", "--", ...batch]);
    } catch {
      return found; // getfattr missing: no warnings rather than a failed pack
    }
    let file = "";
    for (const line of r.stdout.toString("utf8").split("\n")) {
      if (line.startsWith("# file: ")) file = unescapeName(line.slice(8));
      else if (line && file && !line.startsWith("#")) {
        const name = line.split("=")[0];
        const list = found.get(file) ?? [];
        list.push(name);
        found.set(file, list);
      }
    }
  }
  return found;
}
