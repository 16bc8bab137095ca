import "@/lib/db/test-database";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ensureAdmin } from "@/lib/auth/ensure-admin";
import { verifyPassword } from "@/lib/auth/hash-password";
import { initialAdminPasswordFile } from "@/lib/auth/initial-admin-password";
import { prisma } from "@/lib/db/client";
import { testDataDir } from "@/lib/db/test-database";
import { resetPassword } from "@/lib/db/users";
import type { JobContext } from "@/lib/jobs/job-types";
import { backupDatabase } from "./backup-database";
import { secureDatabaseFiles, secureDataDir } from "./secure-data-dir";

const modeOf = (p: string) => (fs.statSync(p).mode & 0o7777).toString(8).padStart(4, "0");

describe("password hashes readable by every local user", () => {
  it("creates the data directory 0700 and tightens an existing 0755 one, saying so", () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), "rootimg-dd-"));
    const fresh = path.join(parent, "fresh");
    const said: string[] = [];
    secureDataDir(fresh, (l) => said.push(l));
    expect(modeOf(fresh)).toBe("0700");
    expect(said).toEqual([]);
    const old = path.join(parent, "old");
    fs.mkdirSync(old, { mode: 0o755 });
    fs.chmodSync(old, 0o755);
    secureDataDir(old, (l) => said.push(l));
    expect(modeOf(old)).toBe("0700");
    expect(said.join("\n")).toMatch(/from 0755 to 0700/);
    fs.rmSync(parent, { recursive: true });
  });

  it("the database, its -wal/-shm and every backup are 0600", async () => {
    fs.chmodSync(path.join(testDataDir, "rootimg-studio.db"), 0o644);
    const said: string[] = [];
    secureDatabaseFiles(testDataDir, (l) => said.push(l));
    expect(said.join()).toContain("rootimg-studio.db");
    await prisma.user.count(); // the connection opens (WAL): -wal/-shm take the database's mode
    for (const n of fs.readdirSync(testDataDir).filter((x) => x.startsWith("rootimg-studio.db"))) {
      expect(modeOf(path.join(testDataDir, n)), n).toBe("0600");
    }
    const ctx: JobContext = {
      jobId: "t",
      signal: new AbortController().signal,
      progress() {},
      log() {},
      message() {},
      addTempPath: async () => {},
      withoutXcatLock: (fn) => fn(),
    };
    const r = await backupDatabase(ctx, { dataDir: testDataDir });
    expect(modeOf(r.file)).toBe("0600");
    expect(modeOf(path.dirname(r.file))).toBe("0700");
  });
});

describe("the generated admin password is printed to stdout", () => {
  it("goes to <data dir>/initial-admin-password (0600), and the file goes when the password is changed", async () => {
    await prisma.user.deleteMany();
    const r = await ensureAdmin({ dataDir: testDataDir });
    expect(r).toEqual({ created: true, passwordFile: initialAdminPasswordFile(testDataDir) });
    expect(modeOf(r.passwordFile as string)).toBe("0600");
    const password = fs.readFileSync(r.passwordFile as string, "utf8").trim();
    const admin = await prisma.user.findUniqueOrThrow({ where: { username: "admin" } });
    expect(await verifyPassword(password, admin.passwordHash)).toBe(true);
    expect(JSON.stringify(r)).not.toContain(password);

    await resetPassword({ actor: { id: admin.id, username: "admin", role: "admin" }, id: admin.id, password: "a-new-password" });
    expect(fs.existsSync(r.passwordFile as string)).toBe(false);
  });
});
