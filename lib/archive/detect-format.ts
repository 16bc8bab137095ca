import { spawnSync } from "node:child_process";
import { closeSync, openSync, readSync } from "node:fs";
import { constants, inflateRawSync } from "node:zlib";
import { ArchiveError, UnsupportedFormatError } from "./errors.ts";
import type { ArchiveFormat, Compression } from "./types.ts";

const PEEK = 64 * 1024;

function readHead(file: string, n: number): Buffer {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (e) {
    throw new ArchiveError(`cannot open archive ${file}: ${(e as Error).message}`, {
      cause: e,
      code: (e as NodeJS.ErrnoException).code === "ENOENT" ? "not_found" : "unprocessable",
    });
  }
  try {
    const buf = Buffer.alloc(n);
    const got = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** Length of a gzip member header (RFC 1952: optional FEXTRA, FNAME, FCOMMENT, FHCRC). */
function gzipHeaderLength(b: Buffer): number {
  if (b.length < 10 || b[2] !== 8) throw new Error("not a deflate gzip header");
  const flags = b[3];
  let i = 10;
  if (flags & 4) i += 2 + b.readUInt16LE(i);
  if (flags & 8) i = b.indexOf(0, i) + 1;
  if (flags & 16) i = b.indexOf(0, i) + 1;
  if (flags & 2) i += 2;
  if (i <= 0 || i > b.length) throw new Error("gzip header is cut off");
  return i;
}

function payloadKind(head: Buffer, file: string, compression: Compression): ArchiveFormat {
  const sfx = compression === "gzip" ? ".gz" : compression === "xz" ? ".xz" : "";
  const magic = head.toString("latin1", 0, 6);
  if (magic === "070701" || magic === "070702") {
    return { compression, container: "cpio", label: `cpio${sfx}`, variant: magic === "070701" ? "newc" : "crc" };
  }
  if (head.length >= 262 && head.toString("latin1", 257, 262) === "ustar") {
    return {
      compression,
      container: "tar",
      label: `tar${sfx}`,
      variant: head.toString("latin1", 257, 263) === "ustar\0" ? "ustar" : "gnu",
    };
  }
  if (magic === "070707")
    throw new UnsupportedFormatError(`${file}: old portable (odc) cpio is not supported; repack it with cpio -H newc`);
  if (head.length === 0) throw new ArchiveError(`${file}: the archive is empty (no data${sfx ? " after decompression" : ""})`);
  throw new UnsupportedFormatError(
    `${file}: not a cpio (newc) or tar archive${sfx ? ` inside the ${compression} layer` : ""} (first bytes ${JSON.stringify(head.toString("latin1", 0, 8))})`,
  );
}

/**
 * Identifies an archive by its magic bytes (not its name): gzip (single or multi-member) / xz / plain, wrapping
 * newc cpio or tar. squashfs and other compressors are recognised and refused with a clear message.
 */
export async function detectFormat(file: string): Promise<ArchiveFormat> {
  const head = readHead(file, PEEK);
  if (head.length === 0) throw new ArchiveError(`${file}: the archive is empty (0 bytes)`);
  if (head[0] === 0x1f && head[1] === 0x8b) {
    let out: Buffer;
    try {
      // Only the first member's deflate data: anything after it (more members, junk) is the stream reader's job.
      out = inflateRawSync(head.subarray(gzipHeaderLength(head)), { finishFlush: constants.Z_SYNC_FLUSH });
    } catch (e) {
      throw new ArchiveError(`${file}: corrupt gzip data at the start of the file (${(e as Error).message})`, { cause: e });
    }
    return payloadKind(out, file, "gzip");
  }
  if (head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) {
    const r = spawnSync("xz", ["-dc", "--", file], { maxBuffer: 1024, encoding: "buffer" });
    const out = (r.stdout as Buffer | null) ?? Buffer.alloc(0);
    if (out.length === 0) throw new ArchiveError(`${file}: corrupt xz data (${(r.stderr?.toString() || "no output").trim()})`);
    return payloadKind(out, file, "xz");
  }
  if (head.toString("latin1", 0, 4) === "hsqs")
    throw new UnsupportedFormatError(`${file}: squashfs images (rootimg.sfs) are not supported yet; use a rootimg.cpio.gz`);
  if (head.toString("latin1", 0, 3) === "BZh")
    throw new UnsupportedFormatError(`${file}: bzip2 compression is not supported; use gzip or xz`);
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528)
    throw new UnsupportedFormatError(`${file}: zstd compression is not supported; use gzip or xz`);
  return payloadKind(head, file, "none");
}
