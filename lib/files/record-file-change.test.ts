import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTempDatabase } from "@/lib/xcat/test-db";

const dbDir = createTempDatabase("rootimg-files-test-");
process.env.ROOTIMG_XCAT_LOCK_DIR = `${dbDir}/lock`;
const treeOf = (image: string) => {
  fs.mkdirSync(`${dbDir}/${image}/rootimg`, { recursive: true });
  return `${dbDir}/${image}/rootimg`;
};
let prisma: typeof import("@/lib/db/client").prisma;
let runFileChange: typeof import("./record-file-change").runFileChange;
let updatePresence: typeof import("./presence").updatePresence;
const user = { id: "u1", username: "alice", role: "editor" as const };

afterAll(async () => {
  await prisma.$disconnect();
  fs.rmSync(dbDir, { recursive: true, force: true });
});

beforeAll(async () => {
  ({ prisma } = await import("@/lib/db/client"));
  ({ runFileChange } = await import("./record-file-change"));
  ({ updatePresence } = await import("./presence"));
});

describe("runFileChange", () => {
  it("writes the audit row and the pending change together after a successful change", async () => {
    const r = await runFileChange(
      { user, image: "img1", tree: treeOf("img1"), kind: "content", action: "file.save", target: "/etc/motd" },
      () => ({ path: "/etc/motd", etag: "abc" }),
      (x) => ({ paths: [x.path], detail: { etag: x.etag } }),
    );
    expect(r.etag).toBe("abc");
    const audit = await prisma.auditLog.findMany({ where: { image: "img1" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "file.save", target: "/etc/motd", outcome: "ok", username: "alice" });
    const pending = await prisma.pendingChange.findMany({ where: { image: "img1" } });
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ path: "/etc/motd", kind: "content", username: "alice" });
    expect(JSON.parse(pending[0].detail ?? "{}")).toMatchObject({ etag: "abc", paths: ["/etc/motd"] });
  });

  it("records a failed change as an audit error and no pending change", async () => {
    await expect(
      runFileChange(
        { user, image: "img2", tree: treeOf("img2"), kind: "delete", action: "file.delete", target: "/etc" },
        () => {
          throw new Error("refused");
        },
        () => ({ paths: [] }),
      ),
    ).rejects.toThrow("refused");
    expect(await prisma.auditLog.findMany({ where: { image: "img2" } })).toMatchObject([{ outcome: "error", action: "file.delete" }]);
    expect(await prisma.pendingChange.count({ where: { image: "img2" } })).toBe(0);
  });
});

describe("updatePresence", () => {
  it("lists each tab's open files per image", () => {
    updatePresence({ image: "img3", user, clientId: "tab-aaaaaaaa", files: ["/etc/hosts", "/etc/hosts"] });
    const list = updatePresence({
      image: "img3",
      user: { ...user, id: "u2", username: "bob" },
      clientId: "tab-bbbbbbbb",
      files: ["/etc/motd"],
    });
    expect(list).toEqual([
      { clientId: "tab-aaaaaaaa", username: "alice", files: ["/etc/hosts"] },
      { clientId: "tab-bbbbbbbb", username: "bob", files: ["/etc/motd"] },
    ]);
  });
});
