import { describe, expect, it } from "vitest";
import { parseImgexportOutput, parseImgimportOutput, parsePackimageOutput } from "./parse-image-commands";
import { isNotFoundMessage, parseObjectList, parseObjectStanzas, parseXcatMessages } from "./parse-lsdef";
import { loadTranscripts } from "./transcripts";

const t = loadTranscripts();

describe("lsdef parsers on real xCAT 2.19 output", () => {
  it("reads the empty list and the short list", () => {
    expect(parseObjectList(t.get("01-lsdef-osimage-empty")!.stdout)).toEqual([]);
    expect(parseObjectList(t.get("24-lsdef-osimage-after-import")!.stdout)).toEqual([
      "rhels9.4-x86_64-netboot-compute",
      "rhels9.4-x86_64-netboot-rhels9.4-x86_64-netboot-imported",
    ]);
  });

  it("reads one object stanza with all its attributes", () => {
    const [o] = parseObjectStanzas(t.get("12-lsdef-osimage-o-after-packimage")!.stdout);
    expect(o.name).toBe("rhels9.4-x86_64-netboot-compute");
    expect(o.attrs.rootimgdir).toBe("/install/netboot/rhels9.4/x86_64/compute");
    expect(o.attrs.usercomment).toBe("probe image");
    expect(Object.keys(o.attrs)).toHaveLength(14);
  });

  it("reads `-l` with several objects", () => {
    const objs = parseObjectStanzas(t.get("33-lsdef-osimage-long")!.stdout);
    expect(objs.map((o) => o.name)).toEqual([
      "rhels9.4-x86_64-netboot-compute",
      "rhels9.4-x86_64-netboot-rhels9.4-x86_64-netboot-imported",
    ]);
    expect(objs[1].attrs.profile).toBe("rhels9.4-x86_64-netboot-imported");
  });

  it("keeps valid attributes and reports the invalid one of `-i`", () => {
    const r = t.get("07-lsdef-osimage-o-attr")!;
    expect(parseObjectStanzas(r.stdout)[0].attrs).toEqual({
      provmethod: "netboot",
      rootimgdir: "/install/netboot/rhels9.4/x86_64/compute",
    });
    expect(parseXcatMessages(r.stderr).errors).toEqual(["'comments' is not a valid attribute name for an object type of 'osimage'."]);
  });

  it("recognises a missing object (stdout text, stderr error with host prefix)", () => {
    const r = t.get("27-lsdef-osimage-missing")!;
    expect(parseObjectStanzas(r.stdout)).toEqual([]);
    const m = parseXcatMessages(r.stderr);
    expect(m.errors).toEqual(["Could not find an object named 'no-such-image' of type 'osimage'."]);
    expect(isNotFoundMessage(m.errors[0])).toBe(true);
  });

  it("accepts `Error: text` without host, warnings and per-node errors", () => {
    expect(parseXcatMessages(t.get("32-rpower-missing-node")!.stderr).errors).toEqual(["Invalid nodes and/or groups in noderange: cn99"]);
    expect(parseXcatMessages(t.get("29-mkdef-osimage-dup")!.stderr).warnings[0]).toMatch(
      /^A definition for 'rhels9.4-x86_64-netboot-compute' already exists/,
    );
    expect(parseXcatMessages(t.get("19-rpower-stat")!.stderr).errors).toEqual(["cn01: ERROR: timeout"]);
    expect(isNotFoundMessage(parseXcatMessages(t.get("31-packimage-missing")!.stderr).errors[0])).toBe(true);
  });

  it("rejects output it does not understand instead of guessing", () => {
    expect(() => parseObjectList("something else\n")).toThrow(/unexpected lsdef line/);
  });
});

describe("packimage / imgexport / imgimport parsers", () => {
  it("packimage", () => {
    const r = t.get("11-packimage")!;
    expect(parsePackimageOutput(r.stdout)).toEqual({
      rootimgDir: "/install/netboot/rhels9.4/x86_64/compute/rootimg",
      method: "cpio",
      compress: "pigz",
      other: [],
    });
    expect(parseXcatMessages(r.stderr).warnings).toEqual(["Unable to set timezone to 'Universal', check this is a valid timezone"]);
  });

  it("imgexport", () => {
    const o = parseImgexportOutput(t.get("21-imgexport")!.stdout);
    expect(o.image).toBe("rhels9.4-x86_64-netboot-compute");
    expect(o.destDir).toBe("/root/export");
    expect(o.files).toHaveLength(6);
    expect(o.workDir).toBe("/root/export/imgexport.7366.yVRw69");
    expect(o.done).toBe(true);
  });

  it("imgimport over an existing image and renamed", () => {
    const same = parseImgimportOutput(t.get("22-imgimport-same-name")!.stdout);
    expect(same.image).toBe("rhels9.4-x86_64-netboot-compute");
    expect(same.moved).toHaveLength(6);
    expect(same.moved[0]).toEqual({
      from: "/install/netboot/rhels9.4/x86_64/compute/kernel",
      to: "/install/netboot/rhels9.4/x86_64/compute/kernel.ORIG",
    });
    const ren = parseImgimportOutput(t.get("23-imgimport-renamed")!.stdout);
    expect(ren.image).toBe("rhels9.4-x86_64-netboot-rhels9.4-x86_64-netboot-imported");
    expect(ren.moved).toEqual([]);
    expect(ren.other).toEqual([]);
  });
});
