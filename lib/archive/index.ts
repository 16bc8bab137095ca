/**
 * Public API of the archive core: detect, unpack, pack (incremental), diff and verify xCAT root images.
 * Pure Node (node: modules only); the app's jobs, the CLI (bin/rootimg) and the benchmark import this file.
 */

export {
  type KeptVersion,
  keepAsVersion,
  keepPublishedArchive,
  listKeptVersions,
  nextVersionSeq,
  removeKeptVersion,
  versionFile,
  versionManifestFile,
} from "./archive-versions.ts";
export { detectFormat } from "./detect-format.ts";
export { diffTree } from "./diff-tree.ts";
export {
  ArchiveCancelledError,
  ArchiveError,
  CompressionError,
  CpioFormatError,
  FileTooLargeError,
  PathEscapeError,
  TarFormatError,
  UnsupportedFormatError,
} from "./errors.ts";
export { findPathMatch, parseExlist, parseExlistText, timezoneIncludes } from "./exlist.ts";
export { manifestPathFor, readManifest } from "./manifest.ts";
export { applyOverlay, type OverlayChange, type OverlayEntry, overlayDirFor, type PackOverlay } from "./pack-overlay.ts";
export { prepareSpare, type SpareResult, spareFileFor } from "./pack-spare.ts";
export { packTree } from "./pack-tree.ts";
export { stateDirFor, versionsDirFor } from "./state-dir.ts";
export type * from "./types.ts";
export { unpackArchive } from "./unpack-archive.ts";
export { verifyArchive } from "./verify-archive.ts";
