import { type ChildProcess, spawn } from "node:child_process";
import { createHash, type Hash } from "node:crypto";
import {
  constants as C,
  chmodSync,
  closeSync,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  linkSync,
  lutimesSync,
  mkdirSync,
  openSync,
  rmdirSync,
  statSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from "node:fs";
import type { ArchiveEntry, EntrySink } from "./entry.ts";
import { ArchiveError, PathEscapeError } from "./errors.ts";
import { HashOffload } from "./hash-offload.ts";
import type { ManifestSpill } from "./manifest-spill.ts";
import { normalizeEntryName, parentOf } from "./safe-path.ts";
import type { ManifestEntry } from "./types.ts";
import { restoreXattrs } from "./xattr-restore.ts";

/**
 * What the extractor remembers of a path it created. `m` is kept only while the entry is not final (digest pending)
 * or `held` (hard-link groups, tar files that a later tar link may name, the root): the manifest is spilled to disk.
 */
interface Node {
  type: ManifestEntry["type"];
  seq: number;
  m?: ManifestEntry;
  held?: boolean;
}

const IS_ROOT = process.getuid?.() === 0;
const EMPTY_SHA = createHash("sha256").digest("hex");
/** Files at least this big are hashed on the worker thread; smaller ones cost more to post than to hash here. */
const OFFLOAD_MIN = 256 << 10;
/**
 * Creates device nodes and fifos from quintuples mode path c|b|p major minor (a fixed script; values are argv,
 * given by xargs from NUL-separated stdin, five at a time).
 */
const MKNOD_ALL = `while [ $# -ge 5 ]; do
  if [ "$3" = p ]; then mknod -m "$1" -- "$2" p; else mknod -m "$1" -- "$2" "$3" "$4" "$5"; fi || { echo "failed: $2" >&2; exit 1; }
  shift 5
done`;

/**
 * Writes entries into a fresh directory `root` that only we write to. Every entry's parents are checked against
 * what THIS archive created: a parent that is a symlink or a non-directory is refused, so nothing can be written
 * outside `root`. Files are created with O_EXCL|O_NOFOLLOW as defence in depth. Metadata order matches
 * `cpio -idum` and better: chown, then the full mode (chown clears setuid), then mtimes; directories last.
 */
export class Extractor implements EntrySink {
  readonly warnings: string[] = [];
  private nodes = new Map<string, Node>();
  private links = new Map<string, { rel: string; node: Node; group: ManifestEntry[] }>();
  private dirs: { abs: string; m: ManifestEntry }[] = [];
  private devices: { abs: string; m: ManifestEntry }[] = [];
  private xattrs: { abs: string; rel: string; node: Node; list: [string, Buffer][] }[] = [];
  /** Entries written to the manifest only at the end (see Node). */
  private held: Node[] = [];
  private fd = -1;
  private hash: Hash | number | undefined;
  private offload = new HashOffload();
  /** Entries whose sha256 the worker has not returned yet, and entries that copy it from them (hard links). */
  private pending = new Map<ManifestEntry, ManifestEntry[]>();
  private cur: ManifestEntry | undefined;
  private curNode: Node | undefined;
  private curGroup: ManifestEntry[] | undefined;
  private checkedParent = "\0";
  /** The open file was created by us just now, with its final permission bits (see startFile). */
  private fresh = false;
  /**
   * Owner that everything we create gets anyway (root's uid:gid, when no setgid directory above passes its group
   * down): entries with that owner need no chown. Most of an image is root:root; that saves a syscall per entry.
   */
  private readonly ownUid: number = -1;
  private readonly ownGid: number = -1;
  private readonly umask = process.umask();
  /**
   * The process that makes the device nodes, started with the extractor while this process is small: forked at the
   * end, it started as a copy-on-write image of a process grown by the whole unpack (counted again in its RSS).
   */
  private mknod: { child: ChildProcess; done: Promise<{ code: number; stderr: string }> } | undefined = startMknod();

  /**
   * `holdFiles`: keep every file's manifest entry until the end (tar: a hard link names an earlier path, whose size
   * and digest it copies). newc links carry the inode number instead, so cpio archives hold only link groups.
   */
  constructor(
    private readonly root: string,
    private readonly spill: ManifestSpill,
    private readonly holdFiles = false,
  ) {
    if (IS_ROOT && (statSync(root).mode & 0o2000) === 0) {
      this.ownUid = process.geteuid!();
      this.ownGid = process.getegid!();
    }
    // Archives without a "." entry still get a 0755 root (mkdtemp made it 0700); a "." entry replaces this.
    const m: ManifestEntry = { path: ".", type: "dir", mode: 0o755, uid: 0, gid: 0, size: 0, mtime: Math.floor(Date.now() / 1000) };
    const node: Node = { type: "dir", seq: spill.seq(), m, held: true };
    this.nodes.set("", node);
    this.held.push(node);
    this.dirs.push({ abs: root, m });
  }

  /** The entry of `node` is final: to the manifest file now, unless it is held until the end. */
  private final(node: Node): void {
    if (node.held || !node.m) return;
    this.spill.add(node.seq, node.m);
    if (node.type !== "dir") node.m = undefined; // a directory's entry stays with its pending fix-up (this.dirs)
  }

  private hold(node: Node): void {
    if (node.held) return;
    node.held = true;
    this.held.push(node);
  }

  private needsChown(m: { uid: number; gid: number }): boolean {
    return IS_ROOT && (m.uid !== this.ownUid || m.gid !== this.ownGid);
  }

  private abs(rel: string): string {
    return rel === "" ? this.root : `${this.root}/${rel}`;
  }

  private checkParents(e: ArchiveEntry, rel: string): void {
    const parent = parentOf(rel);
    if (parent === this.checkedParent) return;
    let p = "";
    for (const part of parent === "" ? [] : parent.split("/")) {
      p = p ? `${p}/${part}` : part;
      const n = this.nodes.get(p);
      if (!n) {
        // cpio -d semantics: a missing parent (e.g. excluded from the pack) is created as a plain directory.
        mkdirSync(this.abs(p), 0o755);
        const m: ManifestEntry = { path: p, type: "dir", mode: 0o755, uid: 0, gid: 0, size: 0, mtime: Math.floor(Date.now() / 1000) };
        const node: Node = { type: "dir", seq: this.spill.seq(), m };
        this.nodes.set(p, node);
        this.final(node);
      } else if (n.type !== "dir") {
        throw new PathEscapeError(
          e.name,
          n.type === "symlink"
            ? `passes through the symlink "${p}" created earlier in the archive`
            : `passes through "${p}", which is a ${n.type}, not a directory`,
        );
      }
    }
    this.checkedParent = parent;
  }

  entry(e: ArchiveEntry): void {
    const rel = normalizeEntryName(e.name);
    if (rel !== "") this.checkParents(e, rel);
    const m: ManifestEntry = {
      path: rel === "" ? "." : rel,
      type: e.type,
      mode: e.mode,
      uid: e.uid,
      gid: e.gid,
      size: e.size,
      mtime: e.mtime,
    };
    if (rel === "") {
      if (e.type !== "dir") throw new PathEscapeError(e.name, `names the destination root but is a ${e.type}`);
      const root = this.nodes.get("")!;
      this.spill.drop(root.seq);
      this.dirs = this.dirs.filter((d) => d.m !== root.m);
      root.m = m;
      root.seq = this.spill.seq();
      this.dirs.push({ abs: this.root, m });
      return;
    }
    const abs = this.abs(rel);
    const prev = this.nodes.get(rel);
    if (prev) this.replace(e, abs, prev);
    const node: Node = { type: e.type, seq: this.spill.seq(), m };
    this.cur = undefined;
    switch (e.type) {
      case "dir":
        if (prev?.type !== "dir") mkdirSync(abs, 0o700);
        this.dirs.push({ abs, m });
        break;
      case "symlink":
        m.target = e.linkName!;
        symlinkSync(e.linkName!, abs);
        if (this.needsChown(e)) lchownSync(abs, e.uid, e.gid);
        lutimesSync(abs, e.mtime, e.mtime);
        break;
      case "char":
      case "block":
      case "fifo":
        if (e.type !== "fifo") {
          m.rdevMajor = e.rdevMajor;
          m.rdevMinor = e.rdevMinor;
        }
        this.devices.push({ abs, m });
        break;
      case "socket":
        // Recorded (so children are refused like under any non-directory) but not created.
        this.warnings.push(`socket "${rel}" skipped (sockets cannot be restored from an archive)`);
        break;
      case "file":
        this.startFile(e, rel, abs, m, node);
        break;
    }
    this.nodes.set(rel, node);
    if (e.type !== "file") this.final(node);
    if (e.xattrs?.length && (e.type === "file" || e.type === "dir")) this.xattrs.push({ abs, rel, node, list: e.xattrs });
  }

  private replace(e: ArchiveEntry, abs: string, prev: Node): void {
    // `cpio -u`: a later entry of the same name replaces the earlier one.
    this.spill.drop(prev.seq);
    if (prev.type === "dir") {
      // The later entry's metadata wins: forget the earlier one's pending directory fix-up.
      this.dirs = this.dirs.filter((d) => d.m !== prev.m);
      if (e.type === "dir") return;
      try {
        rmdirSync(abs);
      } catch {
        throw new ArchiveError(`entry "${e.name}" at byte offset ${e.offset} replaces a non-empty directory of the same name`);
      }
    } else if (prev.type === "socket") {
      // never created on disk
    } else if (prev.type === "char" || prev.type === "block" || prev.type === "fifo") {
      this.devices = this.devices.filter((d) => d.abs !== abs);
    } else unlinkSync(abs);
    this.checkedParent = "\0";
  }

  private startFile(e: ArchiveEntry, rel: string, abs: string, m: ManifestEntry, node: Node): void {
    let key: string | undefined;
    let target: { rel: string; node: Node; group: ManifestEntry[] } | undefined;
    if (e.hardLink) {
      let to: string;
      try {
        to = normalizeEntryName(e.linkName ?? "");
      } catch {
        throw new PathEscapeError(e.name, `is a hard link to "${e.linkName}", outside the destination`);
      }
      const n = this.nodes.get(to);
      if (n?.type !== "file" || to === "" || !n.m)
        throw new PathEscapeError(
          e.name,
          `is a hard link to "${e.linkName}", which is not a regular file extracted earlier from this archive`,
        );
      target = { rel: to, node: n, group: [n.m!] };
      key = `tar:${to}`;
      const existing = [...this.links.values()].find((l) => l.node === n);
      if (existing) target = existing;
    } else if (e.nlink > 1) {
      key = `${e.devMajor}:${e.devMinor}:${e.ino}`;
      target = this.links.get(key);
      // The earlier path may since have been replaced (e.g. by a symlink): never link to anything but that file.
      if (target && this.nodes.get(target.rel) !== target.node) target = undefined;
    }
    if (target) {
      linkSync(this.abs(target.rel), abs);
      m.linkTo = target.rel;
      target.group.push(m);
      this.hold(node);
      this.hold(target.node);
      this.curGroup = target.group;
      if (e.size === 0) {
        const src = target.node.m!;
        m.size = src.size;
        m.sha256 = src.sha256;
        const followers = this.pending.get(src);
        if (followers) followers.push(m);
        else if (m.sha256 === undefined) m.sha256 = EMPTY_SHA;
        this.applyFileMeta(abs, m);
        return;
      }
      this.fd = openSync(abs, C.O_WRONLY | C.O_TRUNC | C.O_NOFOLLOW);
      this.fresh = false;
    } else {
      // Created with its final permission bits when the umask leaves them and there is no setuid/setgid/sticky bit
      // (chown would clear setuid/setgid): then no fchmod. The temp root is 0700, nobody else can reach it meanwhile.
      this.fresh = (e.mode & 0o7000) === 0 && (e.mode & this.umask) === 0;
      this.fd = openSync(abs, C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, this.fresh ? e.mode : 0o600);
      this.curGroup = undefined;
      if (key) {
        this.links.set(key, { rel, node, group: [m] });
        this.hold(node);
      } else if (this.holdFiles) this.hold(node);
    }
    this.cur = m;
    this.curNode = node;
    this.hash = (e.size >= OFFLOAD_MIN ? this.offload.begin() : undefined) ?? createHash("sha256");
  }

  data(chunk: Buffer): void {
    if (typeof this.hash === "number") this.offload.update(this.hash, chunk);
    else this.hash!.update(chunk);
    let off = 0;
    while (off < chunk.length) off += writeSync(this.fd, chunk, off, chunk.length - off);
  }

  end(): void {
    const m = this.cur;
    const node = this.curNode!;
    if (!m) return;
    this.cur = undefined;
    this.curNode = undefined;
    const h = this.hash!;
    this.hash = undefined;
    if (typeof h === "number") {
      const group = this.curGroup;
      const followers: ManifestEntry[] = [];
      this.pending.set(m, followers);
      for (const g of group ?? []) if (g !== m) this.pending.set(g, followers);
      // The group array is live: links added to it later get the digest too.
      this.offload.end(h, (hex) => {
        for (const x of [m, ...(group ?? []), ...followers]) {
          x.sha256 = hex;
          x.size = m.size;
        }
        this.pending.delete(m);
        for (const g of group ?? []) this.pending.delete(g);
        this.final(node);
      });
    } else {
      m.sha256 = h.digest("hex");
      if (this.curGroup) {
        for (const g of this.curGroup) {
          g.sha256 = m.sha256;
          g.size = m.size;
        }
      }
      this.final(node);
    }
    const fd = this.fd;
    this.fd = -1;
    try {
      if (this.fresh ? this.needsChown(m) : IS_ROOT) fchownSync(fd, m.uid, m.gid);
      if (!this.fresh) fchmodSync(fd, m.mode);
      futimesSync(fd, m.mtime, m.mtime);
    } finally {
      closeSync(fd);
    }
  }

  private applyFileMeta(abs: string, m: ManifestEntry): void {
    if (IS_ROOT) lchownSync(abs, m.uid, m.gid);
    chmodSync(abs, m.mode);
    utimesSync(abs, m.mtime, m.mtime);
  }

  private endMknod(input?: Buffer): Promise<{ code: number; stderr: string }> {
    const helper = this.mknod;
    this.mknod = undefined;
    if (!helper) return Promise.resolve({ code: -1, stderr: "device helper already stopped" });
    helper.child.stdin!.end(input);
    return helper.done;
  }

  /** Creates devices and fifos (batched mknod), then fixes directory modes and mtimes, deepest last-set. */
  async finish(): Promise<void> {
    if (this.fd >= 0) closeSync(this.fd);
    if (!this.devices.length) await this.endMknod();
    if (this.devices.length) {
      // One sh for all device nodes (a spawn from this big process costs more than the mknods it runs).
      const args = this.devices.flatMap(({ abs, m }) => [
        (m.mode & 0o7777).toString(8),
        abs,
        m.type === "fifo" ? "p" : m.type === "char" ? "c" : "b",
        String(m.rdevMajor ?? 0),
        String(m.rdevMinor ?? 0),
      ]);
      const r = await this.endMknod(Buffer.from(`${args.join("\0")}\0`));
      if (r.code !== 0) {
        const failed = /^failed: (.*)$/m.exec(r.stderr)?.[1];
        const d = this.devices.find((x) => x.abs === failed);
        throw new ArchiveError(
          `cannot create ${d ? `${d.m.type} device "${d.m.path}"` : "device nodes"}: ${r.stderr.replace(/^failed: .*$/m, "").trim() || `mknod exited ${r.code}`}`,
        );
      }
      for (const { abs, m } of this.devices) {
        if (this.needsChown(m)) lchownSync(abs, m.uid, m.gid);
        chmodSync(abs, m.mode);
        utimesSync(abs, m.mtime, m.mtime);
      }
    }
    for (let i = this.dirs.length - 1; i >= 0; i--) {
      const { abs, m } = this.dirs[i];
      // Every directory here was made by us (mkdtemp, mkdir), so it has the default owner.
      if (this.needsChown(m)) lchownSync(abs, m.uid, m.gid);
      chmodSync(abs, m.mode);
      utimesSync(abs, m.mtime, m.mtime);
    }
    await this.offload.drain();
    for (const node of this.held) if (node.m) this.spill.add(node.seq, node.m);
    this.held = [];
    // Last: chown clears security.capability, so xattrs (tar --xattrs images) go on after all metadata.
    const live = this.xattrs.filter((x) => this.nodes.get(x.rel) === x.node);
    if (live.length)
      await restoreXattrs(
        live.map((x) => ({ abs: x.abs, list: x.list })),
        this.warnings,
      );
  }

  /** Releases an open file after a failure (the caller removes the whole temp tree). */
  abort(): void {
    this.offload.close();
    void this.endMknod();
    if (this.fd >= 0) {
      try {
        closeSync(this.fd);
      } catch {}
      this.fd = -1;
    }
  }
}

function startMknod(): { child: ChildProcess; done: Promise<{ code: number; stderr: string }> } {
  const child = spawn("xargs", ["-0", "-r", "-n", "5", "/bin/sh", "-c", MKNOD_ALL, "mknod-all"], { stdio: ["pipe", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d) => {
    if (stderr.length < 65536) stderr += d;
  });
  child.stdin!.on("error", () => {});
  const done = new Promise<{ code: number; stderr: string }>((resolve) => {
    child.on("error", (e) => resolve({ code: -1, stderr: e.message }));
    child.on("close", (code) => resolve({ code: code ?? -1, stderr }));
  });
  return { child, done };
}
