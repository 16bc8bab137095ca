import { stat, statfs } from "node:fs/promises";
import path from "node:path";

export type CheckStatus = "ok" | "warning" | "failing";
export type HealthCheck = {
  name: "process" | "transport" | "database" | "backend" | "disk";
  status: CheckStatus;
  /** one line for a person; names what to do when not ok */
  message: string;
  /** the directory a disk check measured */
  path?: string;
  /** what the directory holds: the data directory or an image directory */
  role?: "data" | "images";
  freeBytes?: number;
  totalBytes?: number;
};
export type Health = { status: CheckStatus; checkedAt: Date; uptimeSeconds: number; checks: HealthCheck[] };

/**
 * Below either limit a disk check warns: a pack writes a whole new archive (often several GB) beside the
 * published one, and an unpack a whole tree, so "nearly full" is judged in bytes as well as in percent.
 */
export const DISK_WARN_FREE_FRACTION = 0.1;
export const DISK_WARN_FREE_BYTES = 2 * 1024 ** 3;

export type HealthProbes = {
  database: () => Promise<void>;
  /** lists the images (proves the backend answers) and returns their directories */
  backend: () => Promise<{ kind: string; imageDirs: string[] }>;
  dataDir: string;
  timeoutMs?: number;
  /** the limits below which a disk warns (defaults above) */
  diskWarn?: { freeFraction: number; freeBytes: number };
};

/** Runs every check; a check that throws or hangs is reported as not ok, never as a failed request. */
export async function checkHealth(p: HealthProbes): Promise<Health> {
  const timeoutMs = p.timeoutMs ?? 10_000;
  const checks: HealthCheck[] = [
    { name: "process", status: "ok", message: `up for ${Math.round(process.uptime())} s, pid ${process.pid}` },
  ];

  const db = await settle(p.database(), timeoutMs);
  checks.push(
    db.ok
      ? { name: "database", status: "ok", message: "reachable" }
      : { name: "database", status: "failing", message: `not reachable: ${db.error}; check the data directory's disk and permissions` },
  );

  const be = await settle(p.backend(), timeoutMs);
  let imageDirs: string[] = [];
  if (be.ok) {
    imageDirs = be.value.imageDirs;
    checks.push({
      name: "backend",
      status: "ok",
      message: `${be.value.kind === "xcat" ? "xCAT" : "local registry"} answered (${imageDirs.length} image${imageDirs.length === 1 ? "" : "s"})`,
    });
  } else {
    checks.push({ name: "backend", status: "warning", message: `not reachable: ${be.error}; on xCAT check that xcatd runs (lsxcatd -a)` });
  }

  const seen = new Set<number>();
  for (const [dir, role] of [[p.dataDir, "data"], ...uniqueParents(imageDirs).map((d) => [d, "images"])] as [string, "data" | "images"][]) {
    const disk = await settle(measureDisk(dir), timeoutMs);
    if (!disk.ok) {
      checks.push({ name: "disk", role, path: dir, status: "warning", message: `cannot measure ${dir}: ${disk.error}` });
      continue;
    }
    if (seen.has(disk.value.dev) && role === "images") continue; // same filesystem as a directory already listed
    seen.add(disk.value.dev);
    const { free, total } = disk.value;
    const limits = p.diskWarn ?? { freeFraction: DISK_WARN_FREE_FRACTION, freeBytes: DISK_WARN_FREE_BYTES };
    const low = free < limits.freeBytes || free < total * limits.freeFraction;
    checks.push({
      name: "disk",
      role,
      path: disk.value.measured,
      status: low ? "warning" : "ok",
      message: `${formatBytes(free)} free of ${formatBytes(total)} (${total ? Math.round((free / total) * 100) : 0} %)${low ? ": nearly full; packing and unpacking need room for a whole image" : ""}`,
      freeBytes: free,
      totalBytes: total,
    });
  }

  const status: CheckStatus = checks.some((c) => c.status === "failing")
    ? "failing"
    : checks.some((c) => c.status === "warning")
      ? "warning"
      : "ok";
  return { status, checkedAt: new Date(), uptimeSeconds: Math.round(process.uptime()), checks };
}

/** Free space for unprivileged writers does not apply (the server runs as root): bfree, not bavail. */
async function measureDisk(dir: string): Promise<{ free: number; total: number; dev: number; measured: string }> {
  const measured = await existingAncestor(dir);
  const [fs, st] = await Promise.all([statfs(measured), stat(measured)]);
  return { free: fs.bfree * fs.bsize, total: fs.blocks * fs.bsize, dev: st.dev, measured };
}

/** An image directory that does not exist yet (never unpacked) still lives on its parent's filesystem. */
async function existingAncestor(dir: string): Promise<string> {
  let d = path.resolve(dir);
  for (;;) {
    try {
      await stat(d);
      return d;
    } catch {
      const up = path.dirname(d);
      if (up === d) return d;
      d = up;
    }
  }
}

/** Image directories grouped by their parent: one check per place images live, not one per image. */
function uniqueParents(dirs: string[]): string[] {
  return [...new Set(dirs.map((d) => path.dirname(path.resolve(d))))].sort();
}

async function settle<T>(p: Promise<T>, ms: number): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  try {
    return { ok: true, value: await Promise.race([p, timeout]) };
  } catch (e) {
    return { ok: false, error: ((e as Error)?.message ?? String(e)).split("\n")[0] };
  } finally {
    clearTimeout(timer);
  }
}

export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 10 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}
