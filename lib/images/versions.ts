/**
 * Versions of an image's published archive: every publish is kept in the one layout of lib/archive/archive-versions.ts
 * (`<rootimgdir>/.rootimg-studio/versions/<seq>-<name>`, a hard link) with an ImageVersion row. The retention
 * counts archives on disk: a retention of N keeps exactly N, the live one among them.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { keepAsVersion, nextVersionSeq, removeKeptVersion } from "@/lib/archive/archive-versions";
import { versionsDirFor } from "@/lib/archive/state-dir";
import { prisma, type Tx } from "@/lib/db/client";
import type { ImageVersion } from "@/lib/db/generated/client";
import { AppError } from "@/lib/errors";

export const RETENTION_KEY = "images.versionRetention";
export const DEFAULT_RETENTION = 5;

export function versionsDir(rootimgdir: string): string {
  return versionsDirFor(path.join(rootimgdir, "rootimg.cpio.gz"));
}

export function formatOf(archive: string): string {
  return path.basename(archive).replace(/^rootimg\./, "");
}

async function sha256(file: string): Promise<string> {
  const h = createHash("sha256");
  for await (const c of fs.createReadStream(file)) h.update(c as Buffer);
  return h.digest("hex");
}

export async function getRetention(db: Tx = prisma): Promise<number> {
  const s = await db.setting.findUnique({ where: { key: RETENTION_KEY } });
  const n = s ? Number(s.value) : DEFAULT_RETENTION;
  return Number.isInteger(n) && n >= 1 ? n : DEFAULT_RETENTION;
}

export type RecordVersionOptions = {
  image: string;
  archive: string;
  stampUuid?: string;
  packedBy: string;
  jobId?: string;
  changeId?: string;
  note?: string;
};

/** Keeps the archive just published at `archive` as the new live version. */
export async function recordVersion(opts: RecordVersionOptions): Promise<ImageVersion> {
  const last = await prisma.imageVersion.findFirst({ where: { image: opts.image }, orderBy: { seq: "desc" } });
  // Above every recorded seq and every kept file: a file no row owns is never overwritten.
  const seq = nextVersionSeq(opts.archive, last?.seq ?? 0);
  const kept = keepAsVersion(opts.archive, seq);
  const st = fs.statSync(kept);
  // Hashed before the transaction: hashing a few hundred MB takes seconds, and SQLite's write lock must not wait on it.
  const hash = await sha256(kept);
  const row = await prisma.$transaction(async (tx) => {
    await tx.imageVersion.updateMany({ where: { image: opts.image, live: true }, data: { live: false } });
    return tx.imageVersion.create({
      data: {
        image: opts.image,
        seq,
        file: kept,
        format: formatOf(opts.archive),
        size: st.size,
        sha256: hash,
        stampUuid: opts.stampUuid ?? null,
        packedBy: opts.packedBy,
        jobId: opts.jobId ?? null,
        changeId: opts.changeId ?? null,
        live: true,
        note: opts.note ?? null,
      },
    });
  });
  await applyRetention(opts.image);
  return row;
}

/** Removes versions (rows, kept archives and their manifests) so that exactly the retention remain: the live one and the newest others. */
export async function applyRetention(image: string): Promise<number> {
  const keep = await getRetention();
  const rows = await prisma.imageVersion.findMany({ where: { image }, orderBy: { seq: "desc" } });
  const kept = new Set([...rows.filter((r) => r.live), ...rows.filter((r) => !r.live)].slice(0, keep));
  const drop = rows.filter((r) => !kept.has(r));
  for (const r of drop) {
    await prisma.imageVersion.delete({ where: { id: r.id } });
    await removeKeptVersion(r.file, r.seq);
  }
  return drop.length;
}

export async function listVersions(image: string): Promise<ImageVersion[]> {
  return prisma.imageVersion.findMany({ where: { image }, orderBy: { seq: "desc" } });
}

/**
 * Republishes version `seq` atomically: a hard link to a temp name in rootimgdir, then rename over the live
 * name (nodes downloading at that moment get the old or the new file, never a mix). `audit` runs in the same
 * transaction as the row update.
 */
export async function rollbackVersion(opts: {
  image: string;
  rootimgdir: string;
  seq: number;
  audit?: (tx: Tx) => Promise<void>;
}): Promise<ImageVersion> {
  const v = await prisma.imageVersion.findUnique({ where: { image_seq: { image: opts.image, seq: opts.seq } } });
  if (!v)
    throw new AppError("not_found", `version ${opts.seq} of ${opts.image} does not exist (it may have been removed by the retention)`);
  if (!fs.existsSync(v.file))
    throw new AppError("conflict", `the kept archive of version ${opts.seq} (${v.file}) is missing; it cannot be republished`);
  const live = path.join(opts.rootimgdir, `rootimg.${v.format}`);
  const tmp = path.join(opts.rootimgdir, `.rootimg.rollback-${process.pid}`);
  fs.rmSync(tmp, { force: true });
  fs.linkSync(v.file, tmp);
  try {
    fs.renameSync(tmp, live);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  // nodeset picks the first of rootimg.cpio.gz, .cpio.xz, .tar.gz, .tar.xz (docs/xcat-packimage.md): another format
  // published earlier would shadow the live archive, so only one rootimg.* stays.
  for (const f of fs.readdirSync(opts.rootimgdir))
    if (/^rootimg\.(cpio|tar)\.(gz|xz)$|^rootimg\.gz$/.test(f) && f !== path.basename(live))
      fs.rmSync(path.join(opts.rootimgdir, f), { force: true });
  return prisma.$transaction(async (tx) => {
    await tx.imageVersion.updateMany({ where: { image: opts.image, live: true }, data: { live: false } });
    const row = await tx.imageVersion.update({ where: { id: v.id }, data: { live: true } });
    await opts.audit?.(tx);
    return row;
  });
}

/** Admin setting; audited with the change. */
export async function setRetention(opts: { retention: number; user: { id: string; username: string } }): Promise<number> {
  const { recordAudit } = await import("@/lib/audit/record-audit");
  await prisma.$transaction(async (tx) => {
    await tx.setting.upsert({
      where: { key: RETENTION_KEY },
      create: { key: RETENTION_KEY, value: String(opts.retention) },
      update: { value: String(opts.retention) },
    });
    await recordAudit(tx, { user: opts.user, action: "image.retention", target: String(opts.retention), outcome: "ok" });
  });
  return opts.retention;
}
