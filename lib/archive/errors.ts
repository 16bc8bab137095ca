import { AppError } from "@/lib/errors";

/**
 * Failure modes of the archive core. Each is an AppError (code `unprocessable` unless noted) so the edge maps
 * it to HTTP 422 or a one-line CLI error without knowing the subclass.
 */
export class ArchiveError extends AppError {
  constructor(message: string, options?: { cause?: unknown; code?: AppError["code"] }) {
    super(options?.code ?? "unprocessable", message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ArchiveError";
  }
}

/** An entry would be written outside the destination (absolute name, `..`, through a symlink or non-directory). */
export class PathEscapeError extends ArchiveError {
  constructor(
    readonly entry: string,
    reason: string,
  ) {
    super(`refused archive: entry "${entry}" ${reason}; nothing was extracted`);
    this.name = "PathEscapeError";
  }
}

/** The cpio stream is malformed: bad magic, bad hex field, truncated entry, missing trailer. */
export class CpioFormatError extends ArchiveError {
  constructor(message: string) {
    super(`corrupt cpio archive: ${message}`);
    this.name = "CpioFormatError";
  }
}

/** The tar stream is malformed. */
export class TarFormatError extends ArchiveError {
  constructor(message: string) {
    super(`corrupt tar archive: ${message}`);
    this.name = "TarFormatError";
  }
}

/** The compressed layer (gzip/xz) is damaged or truncated. */
export class CompressionError extends ArchiveError {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = "CompressionError";
  }
}

/** A format we recognise but do not handle (squashfs, odc cpio, bzip2, zstd) or do not recognise at all. */
export class UnsupportedFormatError extends ArchiveError {
  constructor(message: string) {
    super(message);
    this.name = "UnsupportedFormatError";
  }
}

/** newc stores sizes in 32 bits: a file of 4 GiB or more cannot be packed. */
export class FileTooLargeError extends ArchiveError {
  constructor(
    readonly path: string,
    size: number,
  ) {
    super(
      `cannot pack "${path}": ${size} bytes is 4 GiB or more, which the newc cpio format cannot hold; exclude it (exlist) or shrink it`,
    );
    this.name = "FileTooLargeError";
  }
}

/** The operation was cancelled through its AbortSignal; partial output has been removed. */
export class ArchiveCancelledError extends ArchiveError {
  constructor(what: string) {
    super(`${what} cancelled; partial output removed`, { code: "conflict" });
    this.name = "ArchiveCancelledError";
  }
}

export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new ArchiveCancelledError(what);
}
