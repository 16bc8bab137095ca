import { describe, expect, it } from "vitest";
import { hash32 } from "./plan-members.ts";

describe("hash32", () => {
  it("continues from a seed exactly as over the concatenated string (cut points stay where they were)", () => {
    for (const name of ["etc/motd", "usr/lib/x86_64-linux-gnu/libc.so.6", "ünïcødé-名前.txt", "", "."]) {
      expect(hash32(name, hash32("cut:"))).toBe(hash32(`cut:${name}`));
    }
    // FNV-1a 32 of "a" (published test vector)
    expect(hash32("a")).toBe(0xe40c292c);
  });
});
