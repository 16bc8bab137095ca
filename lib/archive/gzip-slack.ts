import { ArchiveError } from "./errors.ts";

/** gzip header flag: a NUL-terminated original file name follows the 10-byte header (FNAME, RFC 1952). */
const FNAME = 0x08;

/**
 * Spare bytes given to each gzip member we compress (about 0.05 % of the member), so that after a small edit its
 * replacement (maybe cut into sub-members, which costs a few hundred bytes) usually fits in the old one's place and
 * every later member keeps its offset (see write-members.ts).
 */
export function slackFor(compressedLength: number): number {
  return 512 + (compressedLength >> 11);
}

/** A replacement run may be padded by at most this much to land on the next kept member (else later ones move). */
export function maxPadFor(compressedLength: number): number {
  return 8 * slackFor(compressedLength);
}

/**
 * The header of a gzip member made `pad` bytes longer without changing what it decompresses to: the bare 10-byte
 * header gets an FNAME field of pad-1 "x" bytes and a NUL (write it, then the member from byte 10 on). FNAME is the
 * one optional header field every reader skips, the Linux initramfs unpacker included (it ignores FEXTRA and
 * FCOMMENT); gzip -d does not restore names unless told to (-N).
 */
export function paddedHeader(gz: Buffer, pad: number): Buffer {
  if (gz.length < 18 || gz[0] !== 0x1f || gz[1] !== 0x8b || gz[3] !== 0) {
    throw new ArchiveError("internal: a compressed member does not start with a bare gzip header", { code: "internal" });
  }
  const head = Buffer.allocUnsafe(10 + pad);
  gz.copy(head, 0, 0, 10);
  if (pad === 0) return head;
  head[3] = FNAME;
  head.fill(0x78, 10, 10 + pad - 1);
  head[10 + pad - 1] = 0;
  return head;
}

/** The whole padded member (tests; the writer writes paddedHeader and the rest separately). */
export function padGzipMember(gz: Buffer, pad: number): Buffer {
  return Buffer.concat([paddedHeader(gz, pad), gz.subarray(10)]);
}
