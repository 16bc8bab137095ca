// Test helper: import it FIRST in a test file that touches the database. It points DATABASE_URL and
// ROOTIMG_DATA_DIR at a fresh temporary directory and applies the migrations (scripts/db.mjs), before
// lib/db/client.ts creates the Prisma client. Vitest runs each test file in its own module graph, so each
// file gets its own database.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export const testDataDir = mkdtempSync(path.join(os.tmpdir(), "rootimg-unit-"));
process.env.ROOTIMG_DATA_DIR = testDataDir;
process.env.DATABASE_URL = `file:${path.join(testDataDir, "rootimg-studio.db")}`;

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const r = spawnSync(process.execPath, [path.join(root, "scripts/db.mjs"), "deploy", "--quiet"], { cwd: root, env: process.env, encoding: "utf8" });
if (r.status !== 0) throw new Error(`test database migration failed: ${r.stderr}`);
