/**
 * Public API of the archive core: detect, unpack, pack (incremental), diff and verify xCAT root images.
 * Pure Node (node: modules only); the app's jobs, the CLI (bin/rootimg) and the benchmark import this file.
 */
export { detectFormat } from "./detect-format.ts";
export { unpackArchive } from "./unpack-archive.ts";
export { packTree } from "./pack-tree.ts";
export { diffTree } from "./diff-tree.ts";
export { verifyArchive } from "./verify-archive.ts";
export { manifestPathFor, readManifest } from "./manifest.ts";
export { stateDirFor, versionsDirFor } from "./state-dir.ts";
export { keepAsVersion, keepPublishedArchive, listKeptVersions, nextVersionSeq, removeKeptVersion, versionFile, versionManifestFile, type KeptVersion } from "./archive-versions.ts";
export { parseExlist, parseExlistText, findPathMatch, timezoneIncludes } from "./exlist.ts";
export { applyOverlay, overlayDirFor, type OverlayEntry, type PackOverlay, type OverlayChange } from "./pack-overlay.ts";
export {
  ArchiveError,
  PathEscapeError,
  CpioFormatError,
  TarFormatError,
  CompressionError,
  UnsupportedFormatError,
  FileTooLargeError,
  ArchiveCancelledError,
} from "./errors.ts";
export type * from "./types.ts";
