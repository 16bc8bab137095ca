import { describe, expect, it } from "vitest";
import { buildManifest, parseManifest } from "./manifest-xml";

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
    expect(() => parseManifest('<xcatimage a="1"></xcatimage>')).toThrow(/unexpected XML/);
  });
});
