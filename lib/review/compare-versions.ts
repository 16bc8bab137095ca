/** Version compare for an image: its kept versions (ImageVersion rows) by sequence number. */

import { createHash } from "node:crypto";
import fs from "node:fs";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { decodeText, detectEncoding } from "@/lib/image/detect-encoding";
import { detectLanguage } from "@/lib/image/detect-language";
import { EDITOR_MAX_BYTES } from "@/lib/image/read-image-file";
import { type ContentDiff, describeWithFile } from "./change-diff";
import { type CompareResult, compareArchives, fileInArchive } from "./version-compare";

async function keptVersion(image: string, seq: number) {
  const v = await prisma.imageVersion.findUnique({ where: { image_seq: { image, seq } } });
  if (!v) throw new AppError("not_found", `${image} has no version ${seq}; the versions list shows the kept ones.`);
  if (!fs.existsSync(v.file))
    throw new AppError(
      "not_found",
      `The archive of version ${seq} of ${image} is no longer kept (${v.file}); compare versions that are still listed.`,
    );
  return v;
}

const ref = (v: Awaited<ReturnType<typeof keptVersion>>) => ({
  seq: v.seq,
  packedAt: v.packedAt.toISOString(),
  packedBy: v.packedBy,
  live: v.live,
});

export async function compareVersions(o: {
  image: string;
  from: number;
  to: number;
  signal?: AbortSignal;
}): Promise<CompareResult & { image: string; from: ReturnType<typeof ref>; to: ReturnType<typeof ref> }> {
  if (o.from === o.to) throw new AppError("bad_request", "Pick two different versions to compare.");
  const [a, b] = await Promise.all([keptVersion(o.image, o.from), keptVersion(o.image, o.to)]);
  const r = await compareArchives(a.file, b.file, o.signal);
  return { image: o.image, from: ref(a), to: ref(b), ...r };
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** Both sides of one text file across two versions, or their sizes and hashes (what `file` says of an ELF). */
export async function compareVersionFile(o: {
  image: string;
  from: number;
  to: number;
  path: string;
  /** why the caller may not see this file's content (a sensitive file for a viewer), by its metadata on either side */
  hiddenBecause?: (path: string, meta: { mode: number; uid: number; isFile(): boolean }) => string | undefined;
}): Promise<{ path: string; content: ContentDiff }> {
  const [a, b] = await Promise.all([keptVersion(o.image, o.from), keptVersion(o.image, o.to)]);
  const [ea, eb] = await Promise.all([fileInArchive(a.file, o.path), fileInArchive(b.file, o.path)]);
  if (!ea && !eb) throw new AppError("not_found", `${o.path} is a regular file in neither version.`);
  for (const e of [ea, eb]) {
    const why = e && o.hiddenBecause?.(o.path, { mode: e.mode, uid: e.uid, isFile: () => true });
    if (why) return { path: o.path, content: { kind: "hidden", reason: why } };
  }
  const before = ea?.data ?? null;
  const after = eb?.data ?? null;
  const text = (x: Buffer | null) => x === null || (x.length <= EDITOR_MAX_BYTES && detectEncoding(x) !== "binary");
  if (text(before) && text(after)) {
    const dec = (x: Buffer | null) => {
      if (!x) return null;
      const enc = detectEncoding(x);
      return decodeText(x, enc === "binary" ? "latin-1" : enc);
    };
    const firstLine = (after ?? before)!.subarray(0, 200).toString("latin1").split("\n")[0];
    return { path: o.path, content: { kind: "text", language: detectLanguage(o.path, firstLine), before: dec(before), after: dec(after) } };
  }
  const side = async (x: Buffer | null) => {
    if (!x) return null;
    const file = x[0] === 0x7f && x[1] === 0x45 && x[2] === 0x4c && x[3] === 0x46 ? await describeWithFile(x) : undefined;
    return { size: x.length, sha256: sha256(x), ...(file ? { file } : {}) };
  };
  const big = (before?.length ?? 0) > EDITOR_MAX_BYTES || (after?.length ?? 0) > EDITOR_MAX_BYTES;
  return {
    path: o.path,
    content: { kind: "binary", reason: big ? "too-large" : "binary", before: await side(before), after: await side(after) },
  };
}
