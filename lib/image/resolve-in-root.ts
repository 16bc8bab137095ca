import fs from "node:fs";
import { AppError } from "@/lib/errors";

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = fs.constants;

/** Linux limits: PATH_MAX, NAME_MAX and the kernel's symlink budget (ELOOP after 40). */
export const MAX_PATH = 4096;
export const MAX_NAME = 255;
export const MAX_SYMLINKS = 40;

export type ResolveOptions = {
  /** Follow a symlink in the last component (read, write, list). False for operations on the link itself. */
  followFinal?: boolean;
  /** An image root opened once for many resolutions (a listing resolving each symlink); not closed here. */
  rootHandle?: RootHandle;
};

export type RootHandle = { real: string; fd: number; close: () => void };

/** Opens an image root once, for callers that resolve many paths in a row. */
export function openRootHandle(root: string): RootHandle {
  let real: string;
  try {
    real = fs.realpathSync(root);
  } catch (e) {
    throw new AppError("not_found", `The image tree ${root} does not exist; unpack the image first.`, { cause: e });
  }
  const fd = fs.openSync(real, O_RDONLY | O_DIRECTORY);
  return { real, fd, close: () => fs.closeSync(fd) };
}

/**
 * A path inside an image, resolved like the kernel would inside `chroot root`. It holds open file
 * descriptors: the directory that contains the final component is `dirFd`, and every operation goes
 * through `at` (`/proc/self/fd/<dirFd>/<name>`), so the final lookup happens in exactly the directory
 * that was checked, never in one an attacker swapped in by renaming or symlinking a parent afterwards.
 * Always call `close()`.
 */
export type ResolvedPath = {
  /** real path of the image root on the host */
  root: string;
  /** canonical path inside the image, "/" for the root */
  path: string;
  /** path of the entry on the host (for messages and spawned tools; do not use it for I/O) */
  hostPath: string;
  dirFd: number;
  /** final component, "." when the path is a directory reached without a final name (root, "a/..") */
  name: string;
  /** `/proc/self/fd/<dirFd>/<name>`: the openat-equivalent path to use for every operation */
  at: string;
  exists: boolean;
  stat?: fs.Stats;
  close: () => void;
};

/** Splits a browser path into components; rejects NUL bytes and over-long paths and names. */
export function splitPath(p: string): string[] {
  if (typeof p !== "string") throw new AppError("bad_request", "A path must be a string.");
  if (p.includes("\0")) throw new AppError("bad_request", "The path contains a NUL byte; remove it.");
  if (Buffer.byteLength(p) > MAX_PATH) throw new AppError("bad_request", `The path is longer than ${MAX_PATH} bytes.`);
  const parts = p.split("/").filter((c) => c !== "" && c !== ".");
  for (const c of parts) {
    if (Buffer.byteLength(c) > MAX_NAME)
      throw new AppError("bad_request", `A path component is longer than ${MAX_NAME} bytes: ${c.slice(0, 40)}…`);
  }
  return parts;
}

/** Real path the kernel reports for an open descriptor (the defence-in-depth check). */
export function fdRealPath(fd: number): string {
  return fs.readlinkSync(`/proc/self/fd/${fd}`);
}

/** Throws unless `real` is `root` or below it. */
export function assertInside(root: string, real: string, what: string): void {
  if (real !== root && !real.startsWith(root === "/" ? "/" : `${root}/`)) {
    throw new AppError("forbidden", `Refused: ${what} resolves outside the image (${real}).`);
  }
}

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException)?.code;
}

/**
 * The one resolver for every path coming from the browser. Walks component by component with lstat and
 * readlink from an open descriptor of the image root: `..` stops at the root, absolute symlink targets
 * restart at the image root (never the host's), relative ones continue from the link's directory, and
 * more than 40 links fail like ELOOP. Each directory is opened with O_NOFOLLOW relative to the previous
 * one, so a component swapped for a symlink between the lstat and the open is refused, not followed.
 * A missing final component is allowed (exists: false) so create/upload can use the same resolver.
 */
export function resolveInRoot(root: string, browserPath: string, opts: ResolveOptions = {}): ResolvedPath {
  const queue = splitPath(browserPath);
  const shared = opts.rootHandle;
  const handle = shared ?? openRootHandle(root);
  const rootReal = handle.real;
  const rootFd = handle.fd;
  const stack: { fd: number; name: string }[] = [];
  const closeAll = (keep?: number) => {
    for (const s of stack) if (s.fd !== keep) fs.closeSync(s.fd);
    if (rootFd !== keep && !shared) fs.closeSync(rootFd);
  };
  let links = 0;
  try {
    while (queue.length > 0) {
      const c = queue.shift() as string;
      if (c === ".") continue;
      if (c === "..") {
        const top = stack.pop();
        if (top) fs.closeSync(top.fd);
        continue;
      }
      const cur = stack.length ? stack[stack.length - 1].fd : rootFd;
      const at = `/proc/self/fd/${cur}/${c}`;
      const isFinal = queue.length === 0;
      const virtual = `/${[...stack.map((s) => s.name), c].join("/")}`;
      let st: fs.Stats;
      try {
        st = fs.lstatSync(at);
      } catch (e) {
        if (errno(e) !== "ENOENT") throw e;
        if (isFinal) return finish({ rootReal, rootFd, stack, name: c, exists: false, closeAll, shared: !!shared });
        throw new AppError("not_found", `${virtual} does not exist in the image.`);
      }
      if (st.isSymbolicLink() && (!isFinal || opts.followFinal)) {
        if (++links > MAX_SYMLINKS) {
          throw new AppError(
            "unprocessable",
            `Too many levels of symbolic links at ${virtual} (more than ${MAX_SYMLINKS}); the links form a loop.`,
          );
        }
        const target = fs.readlinkSync(at);
        if (target.startsWith("/")) {
          // Absolute target: restart at the image root, exactly like the kernel inside a chroot.
          for (const s of stack.splice(0)) fs.closeSync(s.fd);
        }
        queue.unshift(...target.split("/").filter((x) => x !== ""));
        continue;
      }
      if (isFinal) return finish({ rootReal, rootFd, stack, name: c, exists: true, stat: st, closeAll, shared: !!shared });
      if (!st.isDirectory()) throw new AppError("unprocessable", `${virtual} is not a directory.`);
      let fd: number;
      try {
        fd = fs.openSync(at, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      } catch (e) {
        const code = errno(e);
        if (code === "ELOOP" || code === "ENOTDIR" || code === "ENOENT") {
          throw new AppError("conflict", `${virtual} changed while it was being opened; try again.`, { cause: e });
        }
        throw e;
      }
      stack.push({ fd, name: c });
    }
    // The path ends at a directory without a final name ("/", "a/..", a link to a directory).
    return finish({ rootReal, rootFd, stack, name: ".", exists: true, closeAll, shared: !!shared });
  } catch (e) {
    closeAll();
    throw e;
  }
}

type FinishInput = {
  rootReal: string;
  rootFd: number;
  stack: { fd: number; name: string }[];
  name: string;
  exists: boolean;
  stat?: fs.Stats;
  closeAll: (keep?: number) => void;
  /** the root descriptor belongs to the caller: hand out a duplicate instead */
  shared?: boolean;
};

function finish(i: FinishInput): ResolvedPath {
  let dirFd = i.stack.length ? i.stack[i.stack.length - 1].fd : i.rootFd;
  if (i.shared && dirFd === i.rootFd) dirFd = fs.openSync(`/proc/self/fd/${i.rootFd}`, O_RDONLY | O_DIRECTORY);
  const names = i.stack.map((s) => s.name);
  if (i.name !== ".") names.push(i.name);
  // Defence in depth: the directory we hold must really be inside the root, whatever happened meanwhile.
  assertInside(i.rootReal, fdRealPath(dirFd), `/${names.join("/")}`);
  i.closeAll(dirFd);
  const at = `/proc/self/fd/${dirFd}/${i.name}`;
  const stat = i.stat ?? (i.name === "." ? fs.lstatSync(at) : undefined);
  let closed = false;
  return {
    root: i.rootReal,
    path: `/${names.join("/")}`,
    hostPath: names.length ? `${i.rootReal}/${names.join("/")}` : i.rootReal,
    dirFd,
    name: i.name,
    at,
    exists: i.exists,
    stat,
    close: () => {
      if (!closed) fs.closeSync(dirFd);
      closed = true;
    },
  };
}

/** Runs `fn` with a resolved path and always closes its descriptors. */
export function withResolved<T>(root: string, p: string, opts: ResolveOptions, fn: (r: ResolvedPath) => T): T {
  const r = resolveInRoot(root, p, opts);
  let out: T;
  try {
    out = fn(r);
  } catch (e) {
    r.close();
    throw e;
  }
  if (out instanceof Promise) return out.finally(() => r.close()) as T;
  r.close();
  return out;
}
