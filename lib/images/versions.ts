/**
 * Versions of an image's published archive. Every publish is kept as a hard link in
 * `<rootimgdir>/.rootimg-studio/versions/<seq>-<name>` (no copy; the live name is always replaced by rename,
 * so the link keeps the old bytes), with an ImageVersion row; the oldest beyond the retention are removed.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { prisma, type Tx } from "@/lib/db/client";
import type { ImageVersion } from "@/lib/db/generated/client";
import { AppError } from "@/lib/errors";

export const RETENTION_KEY = "images.versionRetention";
export const DEFAULT_RETENTION = 5;

export function versionsDir(rootimgdir: string): string {
  return path.join(rootimgdir, ".rootimg-studio", "versions");
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

export type RecordVersionOptions = { image: string; archive: string; stampUuid?: string; packedBy: string; jobId?: string; changeId?: string; note?: string };

/** Keeps the archive just published at `archive` as the new live version. */
export async function recordVersion(opts: RecordVersionOptions): Promise<ImageVersion> {
  const dir = versionsDir(path.dirname(opts.archive));
  fs.mkdirSync(dir, { recursive: true });
  const last = await prisma.imageVersion.findFirst({ where: { image: opts.image }, orderBy: { seq: "desc" } });
  const seq = (last?.seq ?? 0) + 1;
  const kept = path.join(dir, `${seq}-${path.basename(opts.archive)}`);
  fs.rmSync(kept, { force: true });
  fs.linkSync(opts.archive, kept);
  const st = fs.statSync(kept);
  const row = await prisma.$transaction(async (tx) => {
    await tx.imageVersion.updateMany({ where: { image: opts.image, live: true }, data: { live: false } });
    return tx.imageVersion.create({
      data: { image: opts.image, seq, file: kept, format: formatOf(opts.archive), size: st.size, sha256: await sha256(kept), stampUuid: opts.stampUuid ?? null, packedBy: opts.packedBy, jobId: opts.jobId ?? null, changeId: opts.changeId ?? null, live: true, note: opts.note ?? null },
    });
  });
  await applyRetention(opts.image);
  return row;
}

/** Removes the oldest non-live versions beyond the retention (rows and kept files). */
export async function applyRetention(image: string): Promise<number> {
  const keep = await getRetention();
  const rows = await prisma.imageVersion.findMany({ where: { image }, orderBy: { seq: "desc" } });
  const drop = rows.slice(keep).filter((r) => !r.live);
  for (const r of drop) {
    await prisma.imageVersion.delete({ where: { id: r.id } });
    fs.rmSync(r.file, { force: true });
    // its pristine manifest (version-manifests.ts) goes with it
    fs.rmSync(path.join(path.dirname(r.file), `manifest-${r.seq}.json`), { force: true });
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
export async function rollbackVersion(opts: { image: string; rootimgdir: string; seq: number; audit?: (tx: Tx) => Promise<void> }): Promise<ImageVersion> {
  const v = await prisma.imageVersion.findUnique({ where: { image_seq: { image: opts.image, seq: opts.seq } } });
  if (!v) throw new AppError("not_found", `version ${opts.seq} of ${opts.image} does not exist (it may have been removed by the retention)`);
  if (!fs.existsSync(v.file)) throw new AppError("conflict", `the kept archive of version ${opts.seq} (${v.file}) is missing; it cannot be republished`);
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
  // Another format published earlier would shadow or confuse nodeset (xcat-facts §2.5): only one rootimg.* stays.
  for (const f of fs.readdirSync(opts.rootimgdir)) if (/^rootimg\.(cpio|tar)\.(gz|xz)$|^rootimg\.gz$/.test(f) && f !== path.basename(live)) fs.rmSync(path.join(opts.rootimgdir, f), { force: true });
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
    await tx.setting.upsert({ where: { key: RETENTION_KEY }, create: { key: RETENTION_KEY, value: String(opts.retention) }, update: { value: String(opts.retention) } });
    await recordAudit(tx, { user: opts.user, action: "image.retention", target: String(opts.retention), outcome: "ok" });
  });
  return opts.retention;
}
