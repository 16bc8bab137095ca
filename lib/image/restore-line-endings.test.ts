import { describe, expect, it } from "vitest";
import { restoreLineEndings } from "./restore-line-endings";

describe("restoreLineEndings", () => {
  it("keeps the endings of unchanged lines in a mixed file", () => {
    const original = "a\r\nb\nc\r\nd\n";
    const normalized = "a\nb\nC!\nd\n"; // what the editor sends back after editing line 3
    expect(restoreLineEndings(original, normalized)).toBe("a\r\nb\nC!\nd\n");
    expect(restoreLineEndings(original, "a\nb\nc\nd\n")).toBe(original);
  });

  it("handles inserted lines and a missing final newline", () => {
    const original = "x\r\ny\nz";
    expect(restoreLineEndings(original, "x\nnew\ny\nz")).toBe("x\r\nnew\ny\nz");
  });

  it("leaves files with one kind of ending alone", () => {
    expect(restoreLineEndings("a\r\nb\r\n", "a\r\nb\r\nc\r\n")).toBe("a\r\nb\r\nc\r\n");
    expect(restoreLineEndings("a\nb\n", "a\nb")).toBe("a\nb");
  });
});
