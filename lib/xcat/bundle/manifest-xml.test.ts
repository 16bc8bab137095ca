import { describe, expect, it } from "vitest";
import { buildManifest, MAX_MANIFEST_CHARS, parseManifest } from "./manifest-xml";

// Shaped like XML::Simple->XMLout(RootName=>'xcatimage', noattr=>1) output of imgexport (imgport.pm make_bundle).
const XMLOUT = `<?xml version="1.0"?>
<xcatimage>
  <kernel>/install/netboot/rhels9.4/x86_64/compute/kernel</kernel>
  <linuximage>
    <comments>probe &amp; &lt;test&gt;</comments>
    <exlist>/opt/xcat/share/xcat/netboot/rh/compute.rhels9.x86_64.exlist</exlist>
    <imagename>rhels9.4-x86_64-netboot-compute</imagename>
    <rootimgdir>/install/netboot/rhels9.4/x86_64/compute</rootimgdir>
  </linuximage>
  <osimage>
    <imagename>rhels9.4-x86_64-netboot-compute</imagename>
    <osarch>x86_64</osarch>
    <osvers>rhels9.4</osvers>
    <profile>compute</profile>
    <provmethod>netboot</provmethod>
  </osimage>
  <ramdisk>/install/netboot/rhels9.4/x86_64/compute/initrd-stateless.gz</ramdisk>
  <rootimg>/install/netboot/rhels9.4/x86_64/compute/rootimg.cpio.gz</rootimg>
</xcatimage>
`;

describe("manifest.xml", () => {
  it("reads imgexport's manifest, decoding entities", () => {
    const m = parseManifest(XMLOUT);
    expect(m.osimage).toMatchObject({ imagename: "rhels9.4-x86_64-netboot-compute", osvers: "rhels9.4", provmethod: "netboot" });
    expect(m.linuximage.comments).toBe("probe & <test>");
    expect(m.rootimg).toBe("/install/netboot/rhels9.4/x86_64/compute/rootimg.cpio.gz");
    expect(m.ramdisk).toMatch(/initrd-stateless.gz$/);
  });

  it("writes the same shape it reads (round trip)", () => {
    const m = parseManifest(XMLOUT);
    expect(buildManifest(m)).toBe(XMLOUT);
  });

  it("refuses what is not a manifest", () => {
    expect(() => parseManifest("<html><body>x</body></html>")).toThrow(/root element is <html>/);
    expect(() => parseManifest("<xcatimage><osimage>")).toThrow();
    expect(() => parseManifest('<xcatimage a="1"></xcatimage>')).toThrow(/attribute a on <xcatimage>/);
    expect(() => parseManifest("<xcatimage>text<osimage/></xcatimage>")).toThrow(/mixed content/);
    expect(() => parseManifest("<xcatimage></xcatimage><xcatimage></xcatimage>")).toThrow();
    expect(() => parseManifest("<xcatimage><kernel>a</ramdisk></xcatimage>")).toThrow();
  });

  it("keeps values as strings and decodes numeric character references", () => {
    const m = parseManifest("<xcatimage><osimage><osvers>09</osvers><comments>&#x41;&#66;&amp;#67;</comments></osimage></xcatimage>");
    expect(m.osimage).toEqual({ osvers: "09", comments: "AB&#67;" });
  });

  describe("hostile input", () => {
    it("refuses entity declarations instead of expanding them (billion laughs)", () => {
      const lol = [
        '<?xml version="1.0"?>',
        '<!DOCTYPE xcatimage [<!ENTITY a "aaaaaaaaaa">',
        ...Array.from({ length: 9 }, (_, i) => `<!ENTITY ${"b".repeat(i + 1)} "${`&${i === 0 ? "a" : "b".repeat(i)};`.repeat(10)}">`),
        "]>",
        "<xcatimage><osimage><comments>&bbbbbbbbb;</comments></osimage></xcatimage>",
      ].join("\n");
      expect(() => parseManifest(lol)).toThrow(/DOCTYPE/);
    });

    it("refuses external entities and unknown entity references", () => {
      const xxe = '<!DOCTYPE xcatimage [<!ENTITY x SYSTEM "file:///etc/shadow">]><xcatimage><kernel>&x;</kernel></xcatimage>';
      expect(() => parseManifest(xxe)).toThrow(/DOCTYPE/);
      expect(() => parseManifest("<xcatimage><kernel>&x;</kernel></xcatimage>")).toThrow(/entity reference/);
      expect(() => parseManifest("<xcatimage><kernel>a & b</kernel></xcatimage>")).toThrow(/entity reference/);
    });

    it("refuses CDATA sections", () => {
      expect(() => parseManifest("<xcatimage><kernel><![CDATA[<x>]]></kernel></xcatimage>")).toThrow(/CDATA/);
    });

    it("refuses deep nesting with an error, not a stack overflow", () => {
      const deep = `<xcatimage>${"<a>".repeat(100_000)}${"</a>".repeat(100_000)}</xcatimage>`;
      expect(() => parseManifest(deep)).toThrow(/larger than|nested/i);
      const lessDeep = `<xcatimage>${"<a>".repeat(50)}${"</a>".repeat(50)}</xcatimage>`;
      expect(() => parseManifest(lessDeep)).toThrow(/nested/i);
    });

    it("refuses huge text before parsing it", () => {
      const huge = `<xcatimage><kernel>${"x".repeat(MAX_MANIFEST_CHARS)}</kernel></xcatimage>`;
      expect(() => parseManifest(huge)).toThrow(/larger than/);
    });

    it("does not let element names reach the object prototype", () => {
      expect(() => parseManifest("<xcatimage><__proto__><polluted>yes</polluted></__proto__></xcatimage>")).toThrow(/__proto__/);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });
});
