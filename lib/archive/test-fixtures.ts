/** Test-only helpers: fixture trees built in code, tree listings for comparisons, tiny archive writers. */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  chownSync,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync, inflateRawSync } from "node:zlib";
import { headerLength, writeHeader } from "./cpio-writer.ts";
import type { EntryType } from "./types.ts";
import { typeOfStats } from "./walk-tree.ts";

export function tmp(prefix = "arch-"): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export function sh(cmd: string, args: string[], opts: { cwd?: string; input?: Buffer } = {}): Buffer {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, input: opts.input, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr?.toString()}`);
  return r.stdout;
}

export const LONG = "L".repeat(200);
export const ODD_NAMES = ["with space.txt", "ünïcødé-名前.txt", "$(touch pwned);'\"`*?[x]&|<>.txt", LONG];

/** A tree with every entry type and the awkward cases the issue lists. Times are fixed and in the past. */
export function makeFixtureTree(root: string): void {
  const T = 1_500_000_000;
  mkdirSync(root, { recursive: true });
  const w = (rel: string, data: string | Buffer, mode = 0o644) => {
    writeFileSync(path.join(root, rel), data);
    chmodSync(path.join(root, rel), mode);
  };
  mkdirSync(path.join(root, "etc/sub dir"), { recursive: true });
  mkdirSync(path.join(root, "usr/bin"), { recursive: true });
  mkdirSync(path.join(root, "dev"));
  mkdirSync(path.join(root, "tmp"));
  mkdirSync(path.join(root, "names"));
  w("etc/motd", "hello\n");
  w("etc/empty", "");
  w("etc/latin1.conf", Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a, 0xff, 0x00, 0xa0]));
  w("etc/sub dir/deep", "x".repeat(5000));
  w("usr/bin/suid", "#!/bin/sh\n", 0o4755);
  w("usr/bin/sgid", "#!/bin/sh\n", 0o2711);
  w("usr/bin/perl", Buffer.alloc(70000, 7), 0o755);
  linkSync(path.join(root, "usr/bin/perl"), path.join(root, "usr/bin/perl5.36"));
  linkSync(path.join(root, "usr/bin/perl"), path.join(root, "etc/perl-hardlink"));
  chmodSync(path.join(root, "tmp"), 0o1777);
  for (const n of ODD_NAMES) w(`names/${n}`, `content of ${n}\n`);
  mkdirSync(path.join(root, `names/${LONG}.d`));
  w(`names/${LONG}.d/${LONG}`, "deep long\n");
  w("etc/owned", "owned\n", 0o640);
  chownSync(path.join(root, "etc/owned"), 1234, 4321);
  symlinkSync("../usr/bin/perl", path.join(root, "etc/rel-link"));
  symlinkSync("/usr/share/zoneinfo/UTC", path.join(root, "etc/localtime"));
  symlinkSync("does-not-exist", path.join(root, "etc/dangling"));
  lchownSync(path.join(root, "etc/dangling"), 7, 8);
  sh("mknod", ["-m", "666", path.join(root, "dev/null"), "c", "1", "3"]);
  sh("mknod", ["-m", "660", path.join(root, "dev/loop9"), "b", "7", "9"]);
  sh("mknod", ["-m", "600", path.join(root, "dev/initctl"), "p"]);
  chownSync(path.join(root, "dev/loop9"), 0, 6);
  // mtimes last, deepest first, symlinks with lutimes.
  const all = listPaths(root).reverse();
  all.forEach((p, i) => {
    const t = T + i * 61;
    if (lstatSync(p).isSymbolicLink()) lutimesSync(p, t, t);
    else utimesSync(p, t, t);
  });
}

function listPaths(root: string): string[] {
  const out = [root];
  for (const name of readdirSync(root).sort()) {
    const p = path.join(root, name);
    if (lstatSync(p).isDirectory()) out.push(...listPaths(p));
    else out.push(p);
  }
  return out;
}

export interface ListOptions {
  dirMtimes?: boolean;
  symlinkMtimes?: boolean;
  owners?: boolean;
  symlinkOwners?: boolean;
  root?: boolean;
}

/** One line per entry: path, type, mode, owner, size, mtime, nlink, rdev, link target, content hash. */
export function listTree(root: string, o: ListOptions = {}): string[] {
  const { dirMtimes = true, symlinkMtimes = true, owners = true, symlinkOwners = true, root: withRoot = true } = o;
  const lines: string[] = [];
  const inoGroups = new Map<number, string[]>();
  const paths = listPaths(root);
  for (const p of paths) {
    const st = lstatSync(p);
    if (st.isFile() && st.nlink > 1) inoGroups.set(st.ino, [...(inoGroups.get(st.ino) ?? []), path.relative(root, p)]);
  }
  for (const p of paths) {
    const rel = path.relative(root, p) || ".";
    const st = lstatSync(p);
    const type: EntryType = typeOfStats(st);
    const mt = (type === "dir" && !dirMtimes) || (type === "symlink" && !symlinkMtimes) ? "-" : Math.floor(st.mtimeMs / 1000);
    const extra =
      type === "file"
        ? createHash("sha256").update(readFileSync(p)).digest("hex").slice(0, 16)
        : type === "symlink"
          ? `-> ${readlinkSync(p)}`
          : type === "char" || type === "block"
            ? `rdev=${st.rdev}`
            : "";
    const links = type === "file" && st.nlink > 1 ? `links=[${(inoGroups.get(st.ino) ?? []).join("|")}]` : "";
    const size = type === "dir" ? "-" : st.size;
    lines.push(
      [
        rel,
        type,
        (st.mode & 0o7777).toString(8),
        owners && (symlinkOwners || type !== "symlink") ? `${st.uid}:${st.gid}` : "",
        size,
        mt,
        links,
        extra,
      ].join(" "),
    );
  }
  return withRoot ? lines : lines.filter((l) => !l.startsWith(". "));
}

export interface RawEntry {
  name: string;
  type: EntryType;
  mode?: number;
  data?: string | Buffer;
  nlink?: number;
  ino?: number;
  size?: number;
}

/** Builds a newc stream by hand (for hostile and corrupt archives GNU cpio would not write). */
export function rawCpio(entries: RawEntry[], opts: { trailer?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  let ino = 100;
  for (const e of entries) {
    const data = typeof e.data === "string" ? Buffer.from(e.data) : (e.data ?? Buffer.alloc(0));
    const head = Buffer.alloc(headerLength(Buffer.byteLength(e.name)));
    writeHeader(head, 0, {
      name: e.name,
      type: e.type,
      mode: e.mode ?? (e.type === "dir" ? 0o755 : 0o644),
      uid: 0,
      gid: 0,
      nlink: e.nlink ?? 1,
      mtime: 1_500_000_000,
      size: e.size ?? data.length,
      ino: e.ino ?? ino++,
      rdevMajor: 0,
      rdevMinor: 0,
    });
    parts.push(head, data, Buffer.alloc((4 - (data.length % 4)) % 4));
  }
  if (opts.trailer !== false) {
    const t = Buffer.alloc(headerLength(10));
    writeHeader(t, 0, {
      name: "TRAILER!!!",
      type: "trailer",
      mode: 0,
      uid: 0,
      gid: 0,
      nlink: 1,
      mtime: 0,
      size: 0,
      ino: 0,
      rdevMajor: 0,
      rdevMinor: 0,
    });
    parts.push(t);
  }
  return Buffer.concat(parts);
}

export function writeGz(file: string, raw: Buffer): string {
  writeFileSync(file, gzipSync(raw));
  return file;
}

/**
 * Walks gzip members as we write them (10-byte header, optionally an FNAME field of padding, raw deflate, 8-byte
 * trailer); returns the count, and how many carry FNAME padding.
 */
export function gzipMembers(gz: Buffer): { count: number; padded: number } {
  let count = 0;
  let padded = 0;
  for (let i = 0; i < gz.length; count++) {
    if (gz[i] !== 0x1f || gz[i + 1] !== 0x8b || (gz[i + 3] !== 0 && gz[i + 3] !== 8))
      throw new Error(`no gzip header (bare or FNAME only) at byte ${i}`);
    let body = i + 10;
    if (gz[i + 3] === 8) {
      padded++;
      body = gz.indexOf(0, body) + 1;
    }
    const { engine } = inflateRawSync(gz.subarray(body), { info: true }) as unknown as { engine: { bytesWritten: number } };
    i = body + engine.bytesWritten + 8;
  }
  return { count, padded };
}

export function countGzipMembers(gz: Buffer): number {
  return gzipMembers(gz).count;
}
