import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { withRootimg } from "./demo-initrd";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "demo-initrd-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("initrd with the root archive appended", () => {
  it("starts the appended newc archive at a 4-byte aligned offset after zero padding, whatever the initrd's size", () => {
    for (const size of [4, 5, 6, 7]) {
      const initrd = path.join(dir, `initrd-${size}`);
      fs.writeFileSync(initrd, Buffer.alloc(size, 0x1f));
      fs.writeFileSync(path.join(dir, "rootimg.cpio.gz"), "ARCHIVE");
      const joined = path.join(dir, `joined-${size}`);
      withRootimg(initrd, path.join(dir, "rootimg.cpio.gz"), joined);
      const buf = fs.readFileSync(joined);
      const at = buf.indexOf("070701");
      expect(at % 4).toBe(0);
      expect(buf.subarray(0, size)).toEqual(Buffer.alloc(size, 0x1f));
      expect([...buf.subarray(size, at)].every((b) => b === 0)).toBe(true);
      expect(buf.toString("latin1", at)).toContain("rootimg.cpio.gz\0");
      expect(buf.toString("latin1", at)).toContain("ARCHIVE");
      expect(buf.toString("latin1")).toContain("TRAILER!!!");
    }
  });
});
