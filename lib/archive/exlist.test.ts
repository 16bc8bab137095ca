import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ArchiveError } from "./errors.ts";
import { findPathMatch, makeExlistFilter, parseExlist, parseExlistText, timezoneIncludes } from "./exlist.ts";
import { tmp } from "./test-fixtures.ts";

const work = tmp("arch-exl-");
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("exlist parsing (packimage semantics)", () => {
  it("strips # comments anywhere, skips blanks, reads + includes and optional leading -", () => {
    const r = parseExlistText(
      "./boot*\n\n  # whole-line comment\n./usr/share/man*   # trailing comment\n-./var/lib/yum*\n+./usr/share/locale/C*\n./a#b\n",
    );
    expect(r.exclude).toEqual(["./boot*", "./usr/share/man*", "./var/lib/yum*", "./a"]);
    expect(r.include).toEqual(["./usr/share/locale/C*"]);
  });

  it("expands #INCLUDE:file# recursively, relative to the including file, over a comma-separated list", async () => {
    mkdirSync(path.join(work, "sub"));
    writeFileSync(path.join(work, "main.exlist"), "./tmp*\n#INCLUDE:sub/common.exlist#\n+./usr/share/doc/keep*\n");
    writeFileSync(path.join(work, "sub/common.exlist"), "./usr/share/doc*\n#INCLUDE:../leaf.exlist#\n");
    writeFileSync(path.join(work, "leaf.exlist"), "./var/cache*\n");
    writeFileSync(path.join(work, "second.exlist"), "./opt/big*\n");
    const r = await parseExlist(`${path.join(work, "main.exlist")},${path.join(work, "second.exlist")}`);
    expect(r.exclude).toEqual(["./tmp*", "./usr/share/doc*", "./var/cache*", "./opt/big*"]);
    expect(r.include).toEqual(["./usr/share/doc/keep*"]);
    expect(r.files.map((f) => path.basename(f))).toEqual(["main.exlist", "common.exlist", "leaf.exlist", "second.exlist"]);
  });

  it("refuses an include loop and names a missing file", async () => {
    writeFileSync(path.join(work, "loop.exlist"), "#INCLUDE:loop.exlist#\n");
    await expect(parseExlist(path.join(work, "loop.exlist"))).rejects.toThrow(/include loop/);
    await expect(parseExlist(path.join(work, "missing.exlist"))).rejects.toBeInstanceOf(ArchiveError);
  });
});

describe("find -path matching", () => {
  it("* and ? match '/' too (no FNM_PATHNAME), classes and escapes work", () => {
    expect(findPathMatch("./usr/share/man*", "./usr/share/man/man1/ls.1.gz")).toBe(true);
    expect(findPathMatch("./usr/share/man*", "./usr/share/man")).toBe(true);
    expect(findPathMatch("./usr/share/locale/*", "./usr/share/locale")).toBe(false);
    expect(findPathMatch("./usr/share/locale/*", "./usr/share/locale/de/LC_MESSAGES/x.mo")).toBe(true);
    expect(findPathMatch("./a?c", "./a/c")).toBe(true);
    expect(findPathMatch("./lib[0-9].so", "./lib7.so")).toBe(true);
    expect(findPathMatch("./lib[!0-9].so", "./lib7.so")).toBe(false);
    expect(findPathMatch("./x\\*", "./x*")).toBe(true);
    expect(findPathMatch("./x\\*", "./xy")).toBe(false);
    expect(findPathMatch("./a.b", "./aXb")).toBe(false);
  });

  it("selection = not excluded OR included, plus xCAT's built-in statelite excludes", () => {
    const keep = makeExlistFilter({ exclude: ["./usr/share/locale/*"], include: ["./usr/share/locale/C*"], files: [] });
    expect(keep("")).toBe(true);
    expect(keep("usr/share/locale")).toBe(true);
    expect(keep("usr/share/locale/de")).toBe(false);
    expect(keep("usr/share/locale/C.UTF-8/LC_CTYPE")).toBe(true);
    expect(keep(".statelite/litefile.save")).toBe(false);
    expect(keep("etc/init.d/statelite")).toBe(false);
    expect(makeExlistFilter(undefined)(".statelite")).toBe(true);
  });
});

describe("site.timezone in the exlist (packimage appends it as an include)", () => {
  it("includes ./usr/share/zoneinfo/<tz> and the file it links to, followed inside the tree", () => {
    const tree = path.join(work, "tz-tree");
    mkdirSync(path.join(tree, "usr/share/zoneinfo/Etc"), { recursive: true });
    writeFileSync(path.join(tree, "usr/share/zoneinfo/Etc/UTC"), "TZif");
    symlinkSync("Etc/UTC", path.join(tree, "usr/share/zoneinfo/Universal"));
    symlinkSync("/usr/share/zoneinfo/Universal", path.join(tree, "usr/share/zoneinfo/Zulu"));
    writeFileSync(path.join(tree, "usr/share/zoneinfo/Plain"), "TZif");
    expect(timezoneIncludes(tree, "Universal")).toEqual(["./usr/share/zoneinfo/Universal", "./usr/share/zoneinfo/Etc/UTC"]);
    expect(timezoneIncludes(tree, "Zulu")).toEqual(["./usr/share/zoneinfo/Zulu", "./usr/share/zoneinfo/Etc/UTC"]);
    expect(timezoneIncludes(tree, "Plain")).toEqual(["./usr/share/zoneinfo/Plain"]);
    // Absent (packimage then warns it cannot set the timezone): only the named path, which matches nothing.
    expect(timezoneIncludes(tree, "Mars/Base")).toEqual(["./usr/share/zoneinfo/Mars/Base"]);
    const keep = makeExlistFilter({ exclude: ["./usr/share/zoneinfo*"], include: timezoneIncludes(tree, "Universal"), files: [] });
    expect(["usr/share/zoneinfo", "usr/share/zoneinfo/Etc", "usr/share/zoneinfo/Plain"].filter(keep)).toEqual([]);
    expect(["usr/share/zoneinfo/Universal", "usr/share/zoneinfo/Etc/UTC"].filter(keep)).toHaveLength(2);
  });
});
