import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseRoom, room } from "./events";

describe("rooms", () => {
  it("parses every name room.* builds back to its family and id", () => {
    expect(parseRoom(room.job("j1"))).toEqual({ family: "job", id: "j1" });
    expect(parseRoom(room.image("rh9:x"))).toEqual({ family: "image", id: "rh9:x" });
    expect(parseRoom(room.images())).toEqual({ family: "images", id: "" });
    expect(parseRoom(room.jobs())).toEqual({ family: "jobs", id: "" });
  });

  it("refuses names outside the table", () => {
    for (const name of ["", "job", "job:", "images:x", "jobs:all", "nope:1", "constructor", "__proto__:x", ":x"])
      expect(parseRoom(name)).toBeNull();
  });
});

describe("events.ts", () => {
  it("imports types only, so client components can import it", () => {
    const src = fs.readFileSync(path.join(__dirname, "events.ts"), "utf8");
    const imports = src.split("\n").filter((l) => /^import\b/.test(l));
    expect(imports.length).toBeGreaterThan(0);
    for (const l of imports) expect(l).toMatch(/^import type /);
  });
});

describe("call sites", () => {
  it("name rooms with room.*, never with a string built in place", () => {
    const root = path.join(__dirname, "../..");
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.tsx?$/.test(e.name) && !e.name.endsWith(".test.ts")) {
          const src = fs.readFileSync(p, "utf8");
          if (/emitTo\(\s*[`"']|emit\(\s*"(join|leave)",\s*[`"']|useRoom\(\s*[`"']/.test(src)) offenders.push(path.relative(root, p));
        }
      }
    };
    for (const d of ["lib", "components", "app"]) walk(path.join(root, d));
    expect(offenders).toEqual([]);
  });
});
