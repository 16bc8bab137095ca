/**
 * The gzip members of an archive the product packed, found without its pack cache: every member but the first
 * carries an FNAME header field of at least 511 "x" bytes (the slack lib/archive/gzip-slack.ts writes so that a
 * rebuilt member fits in place). A run of 64 "x" right after a gzip header with FNAME set cannot occur by chance
 * inside deflate data in practice, and each range found is checked to start with a cpio header before use.
 * Each range is one member or several (sub-members of a rebuilt one have bare headers); all start at an entry
 * boundary, which is what a reader needs.
 */
import fs from "node:fs";

export type MemberRange = { offset: number; length: number };

const SIG = Buffer.from([0x1f, 0x8b, 0x08, 0x08]);
const XRUN = 64;
const CHUNK = 8 << 20;

const g = globalThis as unknown as { rootimgMemberRanges?: Map<string, { id: string; ranges: MemberRange[] | null }> };
const cache = (g.rootimgMemberRanges ??= new Map());

function isSlackHeader(buf: Buffer, at: number): boolean {
  for (let i = at + 10; i < at + 10 + XRUN; i++) if (buf[i] !== 0x78) return false;
  return true;
}

/**
 * The member ranges of `archive` (a file never written in place: a published or kept archive), or null when it
 * is not a multi-member gzip file of the product's (a foreign single stream, xz, tar). Cached per file identity.
 */
export function memberRanges(archive: string): MemberRange[] | null {
  const st = fs.statSync(archive);
  const id = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
  const hit = cache.get(archive);
  if (hit?.id === id) return hit.ranges;
  const fd = fs.openSync(archive, "r");
  const starts: number[] = [0];
  try {
    const head = Buffer.alloc(2);
    fs.readSync(fd, head, 0, 2, 0);
    if (head[0] !== 0x1f || head[1] !== 0x8b) {
      cache.set(archive, { id, ranges: null });
      return null;
    }
    const buf = Buffer.allocUnsafe(CHUNK + 10 + XRUN);
    for (let pos = 0; pos < st.size; pos += CHUNK) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, st.size - pos), pos);
      let i = buf.indexOf(SIG, pos === 0 ? 1 : 0);
      while (i >= 0 && i < Math.min(CHUNK, n)) {
        if (i + 10 + XRUN <= n && isSlackHeader(buf, i)) starts.push(pos + i);
        i = buf.indexOf(SIG, i + 1);
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  const uniq = [...new Set(starts)].sort((a, b) => a - b);
  const ranges = uniq.length < 2 ? null : uniq.map((o, k) => ({ offset: o, length: (uniq[k + 1] ?? st.size) - o }));
  cache.set(archive, { id, ranges });
  return ranges;
}
