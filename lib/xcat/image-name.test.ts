import { describe, expect, it } from "vitest";
import { isValidImageName } from "./image-name";

describe("isValidImageName", () => {
  it("accepts xCAT's usual names, including '+'", () => {
    for (const n of ["rhels9.4-x86_64-netboot-compute", "demo-busybox-x86_64-netboot-compute", "sles15_gpu", "img+cuda12"]) {
      expect(isValidImageName(n)).toBe(true);
    }
  });

  it("refuses names that would leave images/ or exports/ when used as a file name", () => {
    for (const n of ["", ".", "..", "a..b", "../etc", "a/b", "/abs", ".hidden", "-opt", "a b", "a\0b", "x".repeat(129)]) {
      expect(isValidImageName(n)).toBe(false);
    }
  });
});
