/**
 * For unit tests that need the real database: a fresh SQLite file in a temp dir, migrated with the project's
 * own migrations (scripts/db.mjs deploy), under the product's own file name. Call before the first import of lib/db/client.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export function createTempDatabase(prefix = "rootimg-test-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const url = `file:${path.join(dir, "rootimg-studio.db")}`;
  execFileSync("node", ["scripts/db.mjs", "deploy", "--quiet"], { env: { ...process.env, DATABASE_URL: url }, stdio: "ignore" });
  process.env.DATABASE_URL = url;
  process.env.ROOTIMG_DATA_DIR = dir;
  return dir;
}
