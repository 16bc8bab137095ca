/**
 * Extracts an image bundle (`tar czf` of `./<imagename>/...`, docs/xcat-bundles.md) into a new directory,
 * refusing anything unsafe: absolute or `..` names, links, devices, fifos, truncated archives.
 * Written in Node rather than with tar(1) so every entry is checked before a byte lands on disk.
 */
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { AppError, isAppError } from "@/lib/errors";

export type ExtractedEntry = { name: string; type: "file" | "dir"; size: number };

const refuse = (msg: string) => new AppError("unprocessable", `image bundle refused: ${msg}`);

function field(h: Buffer, off: number, len: number): string {
  const raw = h.subarray(off, off + len);
  const nul = raw.indexOf(0);
  return raw.subarray(0, nul < 0 ? len : nul).toString("utf8");
}

function octal(h: Buffer, off: number, len: number): number {
  if (h[off] & 0x80) throw refuse("binary size fields are not supported");
  const t = field(h, off, len).trim();
  return t === "" ? 0 : parseInt(t, 8);
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
  return sum === octal(h, 148, 8);
}

/** Normalises `./a/b` to `a/b` and refuses names that would leave the target directory. */
export function safeEntryName(name: string): string {
  if (name.startsWith("/")) throw refuse(`absolute path ${JSON.stringify(name)}`);
  const parts = name.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.some((p) => p === "..")) throw refuse(`path escapes the target: ${JSON.stringify(name)}`);
  return parts.join("/");
}

export async function extractBundle(opts: { bundlePath: string; destDir: string; signal?: AbortSignal }): Promise<ExtractedEntry[]> {
  const dest = opts.destDir;
  fs.mkdirSync(dest, { recursive: false, mode: 0o700 });
  const entries: ExtractedEntry[] = [];
  let buf: Buffer = Buffer.alloc(0);
  let cur: { fd: number; left: number; pad: number } | null = null;
  let longName: string | null = null;
  let ended = false;
  const gunzip = fs.createReadStream(opts.bundlePath).pipe(zlib.createGunzip());
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      if (opts.signal?.aborted) throw new AppError("conflict", "bundle extraction cancelled");
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      for (;;) {
        if (ended) {
          buf = Buffer.alloc(0);
          break;
        }
        if (cur) {
          const n = Math.min(cur.left, buf.length);
          if (n > 0 && cur.fd >= 0) fs.writeSync(cur.fd, buf, 0, n);
          cur.left -= n;
          buf = buf.subarray(n);
          if (cur.left > 0) break;
          if (buf.length < cur.pad) break;
          buf = buf.subarray(cur.pad);
          if (cur.fd >= 0) fs.closeSync(cur.fd);
          cur = null;
          continue;
        }
        if (buf.length < 512) break;
        const h = buf.subarray(0, 512);
        buf = buf.subarray(512);
        if (h.every((b) => b === 0)) {
          ended = true;
          continue;
        }
        if (!checksumOk(h)) throw refuse("corrupt tar header (bad checksum)");
        const type = String.fromCharCode(h[156] || 48);
        const size = octal(h, 124, 12);
        const pad = (512 - (size % 512)) % 512;
        const prefix = h.subarray(257, 262).toString() === "ustar" ? field(h, 345, 155) : "";
        const rawName = longName ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
        longName = null;
        if (type === "L") {
          if (size > 4096) throw refuse("long name too long");
          if (buf.length < size + pad) {
            buf = Buffer.concat([h, buf]);
            break;
          }
          longName = field(buf, 0, size);
          buf = buf.subarray(size + pad);
          continue;
        }
        if (type === "x" || type === "g") {
          cur = { fd: -1, left: size, pad };
          continue;
        } // pax headers: names here are plain
        const name = safeEntryName(rawName);
        if (name === "") continue;
        const target = path.join(dest, name);
        if (type === "5") {
          fs.mkdirSync(target, { recursive: true, mode: 0o755 });
          entries.push({ name, type: "dir", size: 0 });
        } else if (type === "0" || type === "7") {
          fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
          // O_EXCL + O_NOFOLLOW: a duplicate entry or a planted link cannot redirect the write.
          const fd = fs.openSync(
            target,
            fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW,
            0o644,
          );
          entries.push({ name, type: "file", size });
          cur = { fd, left: size, pad };
        } else {
          throw refuse(
            `entry ${JSON.stringify(name)} is a ${type === "2" ? "symbolic link" : type === "1" ? "hard link" : "special file"}; bundles hold regular files only`,
          );
        }
      }
    }
  } catch (e) {
    if (cur && cur.fd >= 0) fs.closeSync(cur.fd);
    if (isAppError(e)) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "Z_BUF_ERROR" || code === "Z_DATA_ERROR") throw refuse(`the file is truncated or not gzip data (${(e as Error).message})`);
    throw e;
  }
  if (cur || !ended) throw refuse("the archive is truncated (no end-of-archive marker)");
  return entries;
}
