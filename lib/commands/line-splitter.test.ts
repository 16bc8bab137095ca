import { describe, expect, it } from "vitest";
import { LineSplitter } from "./line-splitter";

describe("LineSplitter", () => {
  it("splits chunks into lines per stream, keeping each stream's partial line apart", () => {
    const got: [string, string][] = [];
    const s = new LineSplitter((stream, line) => got.push([stream, line]));
    s.push("stdout", "one\ntw");
    s.push("stderr", "err");
    s.push("stdout", "o\r\nthree");
    s.push("stderr", "or\n");
    s.flush();
    expect(got).toEqual([
      ["stdout", "one"],
      ["stdout", "two"],
      ["stderr", "error"],
      ["stdout", "three"],
    ]);
  });

  it("passes on a prompt without a newline after a short pause", async () => {
    const got: string[] = [];
    const s = new LineSplitter((_, line) => got.push(line));
    s.push("stdout", "Continue? [y/n] ");
    expect(got).toEqual([]);
    await new Promise((r) => setTimeout(r, 300));
    expect(got).toEqual(["Continue? [y/n] "]);
  });
});
