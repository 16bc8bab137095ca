import { mkdirSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkHealth } from "./check-health";

const dataDir = mkdtempSync(path.join(os.tmpdir(), "health-"));

describe("checkHealth", () => {
  it("is ok when the database and backend answer, and measures each filesystem once", async () => {
    mkdirSync(path.join(dataDir, "images", "a"), { recursive: true });
    const h = await checkHealth({
      dataDir,
      database: async () => undefined,
      // two images in one place and one not unpacked yet: measured through its parent, same filesystem
      backend: async () => ({ kind: "local", imageDirs: [path.join(dataDir, "images", "a"), path.join(dataDir, "images", "b")] }),
    });
    expect(h.checks.map((c) => c.name)).toEqual(["process", "database", "backend", "disk"]);
    const disk = h.checks.find((c) => c.name === "disk");
    expect(disk).toMatchObject({ role: "data", path: dataDir });
    expect(disk?.freeBytes).toBeGreaterThan(0);
    expect(disk?.totalBytes).toBeGreaterThanOrEqual(disk?.freeBytes ?? 0);
    expect(h.checks.find((c) => c.name === "backend")?.message).toBe("local registry answered (2 images)");
  });

  it("fails on an unreachable database and warns on an unreachable or hanging backend, naming what to check", async () => {
    const h = await checkHealth({
      dataDir,
      timeoutMs: 200,
      database: async () => {
        throw new Error("SQLITE_CANTOPEN: unable to open database file");
      },
      backend: () => new Promise(() => undefined),
    });
    expect(h.status).toBe("failing");
    expect(h.checks.find((c) => c.name === "database")).toMatchObject({
      status: "failing",
      message: expect.stringContaining("SQLITE_CANTOPEN"),
    });
    expect(h.checks.find((c) => c.name === "backend")).toMatchObject({
      status: "warning",
      message: expect.stringMatching(/no answer within 0.2 s.*lsxcatd -a/),
    });
  });

  it("warns when a disk is nearly full", async () => {
    const probes = { dataDir, database: async () => undefined, backend: async () => ({ kind: "xcat", imageDirs: [] }) };
    const roomy = await checkHealth({ ...probes, diskWarn: { freeFraction: 0, freeBytes: 0 } });
    expect(roomy.status).toBe("ok");
    const full = await checkHealth({ ...probes, diskWarn: { freeFraction: 0, freeBytes: Number.MAX_SAFE_INTEGER } });
    expect(full.status).toBe("warning");
    expect(full.checks.find((c) => c.name === "disk")).toMatchObject({
      status: "warning",
      message: expect.stringMatching(/free of .*: nearly full/),
    });
  });
});
