import type { EntryType } from "./types.ts";

/** One archive member as decoded by a parser (cpio or tar), before any path policy is applied. */
export interface ArchiveEntry {
  /** Name as stored (e.g. "./etc/motd", "etc/motd", "."). */
  name: string;
  type: EntryType;
  /** Permission bits (07777). */
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  mtime: number;
  /** Bytes of body that follow (0 for symlinks: the target is in linkName). */
  size: number;
  ino: number;
  devMajor: number;
  devMinor: number;
  rdevMajor: number;
  rdevMinor: number;
  /** Symlink target, or (tar) hard-link target name. */
  linkName?: string;
  /** tar type '1': a hard link to linkName. */
  hardLink?: boolean;
  /** tar (pax SCHILY.xattr.*): extended attributes to restore, e.g. security.capability. */
  xattrs?: [string, Buffer][];
  /** Offset of the entry's header in the uncompressed stream. */
  offset: number;
}

/** Receives a parsed stream synchronously; data chunks are slices of the input (valid only during the call). */
export interface EntrySink {
  entry(e: ArchiveEntry): void;
  data(chunk: Buffer): void;
  end(): void;
}

export interface StreamParser {
  write(chunk: Buffer): void;
  /** Call at end of input: throws if the stream is truncated or lacks its end marker. */
  finish(): void;
  readonly entries: number;
  readonly offset: number;
  readonly done: boolean;
}

export const S_IFMT = 0o170000;
const TYPE_BY_IFMT: Record<number, EntryType> = {
  0o100000: "file",
  0o040000: "dir",
  0o120000: "symlink",
  0o020000: "char",
  0o060000: "block",
  0o010000: "fifo",
  0o140000: "socket",
};
export const IFMT_BY_TYPE: Record<EntryType, number> = {
  file: 0o100000,
  dir: 0o040000,
  symlink: 0o120000,
  char: 0o020000,
  block: 0o060000,
  fifo: 0o010000,
  socket: 0o140000,
};

export function typeFromMode(mode: number): EntryType | undefined {
  return TYPE_BY_IFMT[mode & S_IFMT];
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Names are bytes on Linux; we handle them as UTF-8 strings and refuse anything else rather than mangle it. */
export function decodeName(buf: Uint8Array, where: () => string): string {
  try {
    return utf8.decode(buf);
  } catch {
    throw new Error(`entry name ${JSON.stringify(Buffer.from(buf).toString("latin1"))} at ${where()} is not valid UTF-8 (not supported)`);
  }
}
