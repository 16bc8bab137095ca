import { describe, expect, it } from "vitest";
import { isAppError } from "@/lib/errors";
import { compileGlob, GLOB_LIMITS } from "./glob-match";

// The reference: the same pattern as an anchored RegExp, on short names only (where backtracking is harmless).
function reference(pattern: string, name: string): boolean {
  const src = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${/[*?]/.test(pattern) ? src : `.*${src}.*`}$`, "is").test(name);
}

describe("compileGlob", () => {
  it("matches like find -name (case-insensitive), and a plain word as a substring", () => {
    const cases: [string, string, boolean][] = [
      ["m*d", "motd", true],
      ["m*d", "motd.bak", false],
      ["*.conf", "sshd.conf", true],
      ["*.conf", "conf", false],
      ["?tc", "etc", true],
      ["?tc", "tc", false],
      ["utc", "UTC", true],
      ["ssh", "sshd_config", true],
      ["*a*b*", "xaxb", true],
      ["*a*b*", "xbxa", false],
      ["a*a", "a", false],
      ["a*a", "aa", true],
      ["*", "", true],
      ["**x", "x", true],
      ["*?", "", false],
      ["a?c*", "abc", true],
      ["*.*", "nodot", false],
    ];
    for (const [p, n, want] of cases) expect(compileGlob(p).test(n), `${p} on ${n}`).toBe(want);
  });

  it("agrees with a regular expression on every pattern over a small alphabet", () => {
    const alpha = ["a", "b", "*", "?"];
    const names = ["", "a", "b", "ab", "ba", "aab", "abab", "bbb", "abba", "aaaa"];
    const patterns: string[] = [""];
    for (let len = 1; len <= 4; len++)
      for (const prev of patterns.filter((x) => x.length === len - 1)) for (const c of alpha) patterns.push(prev + c);
    for (const p of patterns.filter((x) => x.length > 0)) {
      const m = compileGlob(p);
      for (const n of names) expect(m.test(n), `${p} on "${n}"`).toBe(reference(p, n));
    }
  });

  it("viewer freezes the server with a backtracking pattern: the pattern costs at most len(name) × len(pattern) steps", () => {
    // The pattern that took 6.4 s on one 49-byte name with a backtracking RegExp.
    const m = compileGlob("*?*?*?*?*?*?*?*?*?#");
    const name = "a".repeat(49);
    expect(m.test(name)).toBe(false);
    expect(m.steps).toBeLessThanOrEqual(49 * 19 + 1);
    const worst = compileGlob(`${"*?".repeat(GLOB_LIMITS.maxStars - 1)}*#`);
    expect(worst.test("a".repeat(255))).toBe(false);
    expect(worst.steps).toBeLessThanOrEqual(255 * 33 + 1);
  });

  it("refuses with 400 a pattern that is too long, has too many '*', or names a path", () => {
    for (const p of ["a".repeat(GLOB_LIMITS.maxLength + 1), "*a".repeat(GLOB_LIMITS.maxStars + 1), "etc/passwd", "a\0b"]) {
      let code = "";
      try {
        compileGlob(p);
      } catch (e) {
        code = isAppError(e) ? e.code : "other";
      }
      expect(code, p).toBe("bad_request");
    }
  });
});
