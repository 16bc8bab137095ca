import { spawn } from "node:child_process";
import { once } from "node:events";

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

export interface XattrScanner {
  /** Lists the attributes of these absolute paths (once per scanner): path -> attribute names. */
  scan(paths: Iterable<string>): Promise<Map<string, string[]>>;
  /** Ends the helper when `scan` is not going to be called (a failed pack). */
  close(): void;
}

/**
 * Lists extended attributes (file capabilities, POSIX ACLs, SELinux labels, user.*) of absolute paths, which newc
 * cpio silently drops. One `xargs -0 getfattr -h -d -m - --absolute-names --` (no shell) is started right away and
 * fed the paths NUL-separated on stdin later: the pack starts it before its walk, so it is forked from a small
 * process (a fork per batch from the grown pack process was counted again in the RSS of each child until its exec).
 * xargs cuts the argv batches (up to 512 KB each) and runs one getfattr at a time: all at once they were dozens of
 * processes competing with the compressors for memory and cores.
 */
export function startXattrScanner(): XattrScanner {
  const child = spawn("xargs", ["-0", "-r", "-s", String(ARG_BUDGET), "getfattr", "-h", "-d", "-m", "-", "--absolute-names", "--"], {
    stdio: ["pipe", "pipe", "ignore"],
  });
  const out: Buffer[] = [];
  child.stdout!.on("data", (d: Buffer) => out.push(d));
  child.stdin!.on("error", () => {});
  // A missing xargs or getfattr gives no warnings rather than a failed pack (exit codes of getfattr are ignored too:
  // a file removed since the walk is reported by the pack itself).
  const done = new Promise<boolean>((resolve) => {
    child.on("error", () => resolve(false));
    child.on("close", () => resolve(true));
  });
  return {
    async scan(paths) {
      const stdin = child.stdin!;
      let batch: string[] = [];
      let size = 0;
      const write = async () => {
        const ok = stdin.write(batch.join(""));
        batch = [];
        size = 0;
        if (!ok && !stdin.destroyed) await Promise.race([once(stdin, "drain"), done]);
      };
      for (const p of paths) {
        batch.push(`${p}\0`);
        size += p.length + 1;
        if (size >= 65536) await write();
      }
      if (batch.length) await write();
      stdin.end();
      const found = new Map<string, string[]>();
      if (!(await done)) return found;
      let file = "";
      for (const line of Buffer.concat(out).toString("utf8").split("\n")) {
        if (line.startsWith("# file: ")) file = unescapeName(line.slice(8));
        else if (line && file && !line.startsWith("#")) {
          const name = line.split("=")[0];
          const list = found.get(file) ?? [];
          list.push(name);
          found.set(file, list);
        }
      }
      return found;
    },
    close() {
      child.stdin!.end();
    },
  };
}

/** `startXattrScanner().scan(paths)`. */
export function scanXattrs(paths: Iterable<string>): Promise<Map<string, string[]>> {
  return startXattrScanner().scan(paths);
}
