import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { chmod, mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import Database from "better-sqlite3";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import type { JobContext } from "@/lib/jobs/job-types";

export type BackupResult = { file: string; size: number; sha256: string; tables: number; rows: number; removed: string[] };
export type BackupDatabaseOptions = { dataDir: string; keep?: number };

/**
 * Writes a consistent copy of the live database (VACUUM INTO: safe while the server writes), checks the copy
 * with `PRAGMA integrity_check`, counts its rows, hashes it, and only then renames it into
 * `<data dir>/backups/rootimg-studio-<time>.db`. Keeps the newest `keep` backups.
 * Progress is counted in bytes hashed; the log lists every table.
 */
export async function backupDatabase(ctx: JobContext, { dataDir, keep = 10 }: BackupDatabaseOptions): Promise<BackupResult> {
  const dir = path.join(dataDir, "backups");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const tmp = path.join(dir, `.tmp-${stamp}.db`);
  const file = path.join(dir, `rootimg-studio-${stamp}.db`);
  await ctx.addTempPath(tmp);

  ctx.message("copying the database");
  // A backup holds every password hash: the copy is created empty and 0600 first (VACUUM INTO accepts an
  // empty file and keeps its mode), never readable by another local user even for a moment.
  await writeFile(tmp, "", { mode: 0o600, flag: "wx" });
  await chmod(tmp, 0o600);
  ctx.log(`VACUUM INTO ${tmp}`);
  await prisma.$executeRawUnsafe(`VACUUM INTO '${tmp.replaceAll("'", "''")}'`);
  if (ctx.signal.aborted) throw ctx.signal.reason;

  ctx.message("checking the copy");
  const db = new Database(tmp, { readonly: true });
  let tables = 0;
  let rows = 0;
  try {
    const check = db.prepare("PRAGMA integrity_check").all() as { integrity_check: string }[];
    if (check.length !== 1 || check[0].integrity_check !== "ok") {
      throw new AppError("internal", `The copy failed the integrity check: ${check.map((c) => c.integrity_check).join("; ")}`);
    }
    ctx.log("integrity_check: ok");
    const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as {
      name: string;
    }[];
    for (const { name } of names) {
      const { n } = db.prepare(`SELECT count(*) AS n FROM "${name.replaceAll('"', '""')}"`).get() as { n: number };
      ctx.log(`${name}: ${n} rows`, "stdout");
      tables += 1;
      rows += n;
    }
  } finally {
    db.close();
  }

  ctx.message("hashing the copy");
  const { size } = await stat(tmp);
  const sha256 = await hashFile(tmp, ctx, size);
  ctx.log(`sha256 ${sha256}  ${size} bytes`);
  await rename(tmp, file);
  ctx.log(`written ${file}`);
  const removed = await pruneBackups(dir, keep);
  for (const r of removed) ctx.log(`removed old backup ${r}`);
  return { file, size, sha256, tables, rows, removed };
}

async function hashFile(file: string, ctx: JobContext, size: number): Promise<string> {
  const hash = createHash("sha256");
  let done = 0;
  ctx.progress(0, size);
  for await (const chunk of createReadStream(file, { signal: ctx.signal })) {
    hash.update(chunk as Buffer);
    done += (chunk as Buffer).length;
    ctx.progress(done, size);
  }
  return hash.digest("hex");
}

async function pruneBackups(dir: string, keep: number): Promise<string[]> {
  const all = (await readdir(dir)).filter((n) => /^rootimg-studio-.*\.db$/.test(n)).sort();
  const old = all.slice(0, Math.max(0, all.length - keep));
  for (const n of old) await rm(path.join(dir, n), { force: true });
  return old;
}
