// A comparable listing of a directory tree: one line per entry with type, mode, owner,
// size, mtime (files only: GNU `cpio -idum` restores neither directory nor symlink
// mtimes), link target, device numbers, hard-link group and a SHA-256 of file content.
// Used to check that an archive extracts to exactly the tree it was made from.
import { createHash } from "node:crypto";
import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { join } from "node:path";

function typeOf(s: import("node:fs").Stats): string {
  if (s.isFile()) return "f";
  if (s.isDirectory()) return "d";
  if (s.isSymbolicLink()) return "l";
  if (s.isCharacterDevice()) return "c";
  if (s.isBlockDevice()) return "b";
  if (s.isFIFO()) return "p";
  return "s";
}

export async function treeListing(root: string): Promise<string[]> {
  const lines: string[] = [];
  const firstPathOfInode = new Map<number, string>();
  const walk = async (rel: string): Promise<void> => {
    const abs = rel ? join(root, rel) : root;
    const s = await lstat(abs);
    const t = typeOf(s);
    let extra = "";
    if (t === "f") {
      const hash = createHash("sha256")
        .update(await readFile(abs))
        .digest("hex");
      let group = "";
      if (s.nlink > 1) {
        const first = firstPathOfInode.get(s.ino);
        if (first === undefined) firstPathOfInode.set(s.ino, rel);
        group = ` link=${first ?? rel}`;
      }
      extra = ` size=${s.size} mtime=${Math.floor(s.mtimeMs / 1000)} sha=${hash}${group}`;
    } else if (t === "l") {
      extra = ` -> ${await readlink(abs)}`;
    } else if (t === "c" || t === "b") {
      extra = ` rdev=${s.rdev}`;
    }
    const mode = (s.mode & 0o7777).toString(8);
    lines.push(`${rel || "."} ${t} ${mode} ${s.uid}:${s.gid}${extra}`);
    if (t === "d") {
      const names = (await readdir(abs)).sort();
      for (const n of names) await walk(rel ? `${rel}/${n}` : n);
    }
  };
  await walk("");
  return lines;
}

/** The first few differing lines of two listings, or [] when equal. */
export function listingDiff(a: string[], b: string[], max = 5): string[] {
  const sa = new Set(a);
  const sb = new Set(b);
  const out: string[] = [];
  for (const l of a) if (!sb.has(l) && out.length < max) out.push(`- ${l}`);
  for (const l of b) if (!sa.has(l) && out.length < 2 * max) out.push(`+ ${l}`);
  return out;
}
