import { randomUUID } from "node:crypto";
import { chmodSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * `date`'s default output in UTC, as packimage records it (it runs `date`): the day of the month is padded with a
 * space, not a zero ("Wed Dec  2 02:56:03 UTC 2026", "Thu Nov 26 04:10:00 UTC 2026").
 */
export function dateLikeShell(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

/**
 * Writes `opt/xcat/xcatinfo` like packimage (IMAGENAME, IMAGEUUID, TIMESTAMP), so a booted node can show which
 * pack it runs. Returns the UUID.
 */
export function writeXcatinfo(tree: string, imageName: string, now = new Date()): string {
  if (/['\n]/.test(imageName)) throw new Error("image name for the xcatinfo stamp must not contain quotes or newlines");
  const uuid = randomUUID();
  const dir = path.join(tree, "opt", "xcat");
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const file = path.join(dir, "xcatinfo");
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `IMAGENAME='${imageName}'\nIMAGEUUID='${uuid}'\nTIMESTAMP='${dateLikeShell(now)}'\n`);
  chmodSync(tmp, 0o644);
  renameSync(tmp, file);
  return uuid;
}
