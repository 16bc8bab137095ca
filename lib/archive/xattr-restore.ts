import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { run } from "./spawn-batch.ts";

/** getfattr/setfattr dump quoting: every byte outside a safe set as \ooo octal. */
function quote(s: string): string {
  let out = "";
  for (const b of Buffer.from(s))
    out += /[A-Za-z0-9/._+:@-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `\\${b.toString(8).padStart(3, "0")}`;
  return out;
}

/**
 * Restores extended attributes (e.g. security.capability from `tar --xattrs` images) with one
 * `setfattr -h --restore=DUMP` call: batched, argv only, never through a shell. Failures become warnings:
 * the tree is still exact in every other respect.
 */
export async function restoreXattrs(items: { abs: string; list: [string, Buffer][] }[], warnings: string[]): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "rootimg-xattr-"));
  try {
    const dump = items
      .map((i) => `# file: ${quote(i.abs)}\n${i.list.map(([n, v]) => `${quote(n)}=0s${v.toString("base64")}`).join("\n")}\n`)
      .join("\n");
    const file = path.join(dir, "dump");
    writeFileSync(file, `${dump}\n`);
    const r = await run("setfattr", ["-h", `--restore=${file}`]).catch((e: Error) => ({ code: -1, stderr: e.message }));
    if (r.code !== 0) warnings.push(`some extended attributes could not be restored: ${r.stderr.trim().split("\n")[0]}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
