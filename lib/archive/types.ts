/** Public option and result types of the archive core (re-exported by index.ts). */

export type Compression = "gzip" | "xz" | "none";
export type Container = "cpio" | "tar";

export interface ArchiveFormat {
  compression: Compression;
  container: Container;
  /** Short label for messages and the UI: "cpio.gz", "cpio.xz", "cpio", "tar.gz", "tar.xz", "tar". */
  label: string;
  /** cpio only: "newc" (070701) or "crc" (070702). */
  variant?: "newc" | "crc" | "ustar" | "gnu";
}

export type EntryType = "file" | "dir" | "symlink" | "char" | "block" | "fifo" | "socket";

/** One entry of the pristine manifest recorded at unpack. */
export interface ManifestEntry {
  /** Relative path without "./", "." for the root. */
  path: string;
  type: EntryType;
  /** Permission bits including setuid/setgid/sticky (no type bits). */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
  /** Symlinks: target verbatim. */
  target?: string;
  /** Devices: major/minor. */
  rdevMajor?: number;
  rdevMinor?: number;
  /** Regular files: hex sha256 of the content. */
  sha256?: string;
  /** Hard links: the earlier path this entry shares its inode with. */
  linkTo?: string;
}

export interface Manifest {
  version: 1;
  createdAt: string;
  archive: string;
  format: ArchiveFormat;
  entries: ManifestEntry[];
}

export interface ArchiveProgress {
  phase: "unpack" | "pack" | "verify" | "scan" | "write";
  /** Compressed bytes read so far (unpack/verify) or uncompressed bytes packed (pack). */
  bytesDone: number;
  bytesTotal: number;
  entries: number;
  entriesTotal?: number;
}

export type ProgressCallback = (p: ArchiveProgress) => void;

export interface UnpackOptions {
  archive: string;
  /** Must not exist; created by rename on success. */
  dest: string;
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

export interface UnpackResult {
  dest: string;
  format: ArchiveFormat;
  entries: number;
  bytes: number;
  manifestPath: string;
  warnings: string[];
}

export interface PackOptions {
  tree: string;
  /** Suffix chooses compression: .xz => xz, anything else => gzip (multi-member). */
  archive: string;
  /** Comma-separated list of exlist files (xCAT linuximage.exlist syntax). */
  exlist?: string;
  /**
   * site.timezone: with an exlist, `./usr/share/zoneinfo/<tz>` and the file it links to are included again, as
   * packimage does, so a stock `./usr/share/zoneinfo*` exclude keeps the zone `etc/localtime` names.
   */
  timezone?: string;
  /** Entries the archive gets instead of the tree's own (what packimage would write into the tree), tree untouched. */
  overlay?: import("./pack-overlay.ts").PackOverlay;
  /** Write opt/xcat/xcatinfo with this IMAGENAME before packing. */
  stamp?: string;
  /** Recompress everything and refresh the member cache. */
  full?: boolean;
  /** Average uncompressed bytes per gzip member (default 8 MiB); small values are for tests. */
  memberSize?: number;
  /** gzip level of the compressor used (defaults: libdeflate 3, zlib 5; both ~1.01-1.02x pigz -6's size). */
  level?: number;
  /** gzip compressor: libdeflate-gzip when installed, else node:zlib; ROOTIMG_GZIP=zlib forces zlib. */
  compressor?: "libdeflate" | "zlib";
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

export interface PackResult {
  archive: string;
  size: number;
  entries: number;
  /** gzip members written (1 for xz). */
  members: number;
  /** Members copied from the previous archive without recompression. */
  membersReused: number;
  /** The temp file started as the spare copy of the previous archive (pack-spare.ts): kept members cost no I/O. */
  baseFromSpare: boolean;
  /** Bytes of the uncompressed cpio stream. */
  cpioBytes: number;
  warnings: string[];
  /** IMAGEUUID written into opt/xcat/xcatinfo when stamp was given. */
  uuid?: string;
  /** What the overlay changed in the archive against the tree ("added by packing"). */
  overlayChanges: import("./pack-overlay.ts").OverlayChange[];
}

export type ChangeKind = "added" | "removed" | "modified" | "metadata" | "type";

export interface TreeChange {
  kind: ChangeKind;
  /** Letter printed by the CLI: A, D, M, m, T. */
  letter: "A" | "D" | "M" | "m" | "T";
  path: string;
  /** For metadata changes: which fields differ (mode, uid, gid, target, rdev). */
  fields?: string[];
}

export interface DiffOptions {
  tree: string;
  signal?: AbortSignal;
}

export interface DiffResult {
  changes: TreeChange[];
  entriesScanned: number;
  filesHashed: number;
}

export interface VerifyOptions {
  archive: string;
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

export interface VerifyResult {
  format: ArchiveFormat;
  entries: number;
  /** Uncompressed bytes of the cpio/tar stream. */
  bytes: number;
}

export interface ExlistRules {
  /** find -path patterns, as written (e.g. "./usr/share/man*"). */
  exclude: string[];
  include: string[];
  /** Files read, in order (after #INCLUDE# expansion). */
  files: string[];
}
