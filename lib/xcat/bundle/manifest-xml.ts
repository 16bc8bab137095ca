/**
 * manifest.xml of an xCAT image bundle (xcat-facts §3.2): written by Perl's
 * XML::Simple->XMLout(RootName=>'xcatimage', noattr=>1, xmldecl=>'<?xml version="1.0"?>').
 * So: elements only, no attributes; a hash becomes nested elements, a repeated key repeated elements.
 */
export type XmlValue = string | XmlNode | XmlValue[];
export type XmlNode = { [key: string]: XmlValue };

export type BundleManifest = {
  osimage: Record<string, string>;
  linuximage: Record<string, string>;
  kernel?: string;
  ramdisk?: string;
  rootimg?: string;
  raw: XmlNode;
};

const ENT: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
const decode = (s: string) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, e: string) =>
    e[0] === "#" ? String.fromCodePoint(e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : ENT[e],
  );
const encode = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Minimal parser for XMLout's subset. Throws on anything else: a bundle is untrusted input. */
export function parseXml(text: string): { root: string; value: XmlNode } {
  let i = 0;
  const s = text.replace(/^\uFEFF/, "");
  const skip = () => {
    for (;;) {
      while (i < s.length && /\s/.test(s[i])) i++;
      if (s.startsWith("<?", i) || s.startsWith("<!--", i)) {
        const end = s.indexOf(s.startsWith("<?", i) ? "?>" : "-->", i);
        if (end < 0) throw new Error("unterminated XML declaration or comment");
        i = end + (s.startsWith("<?", i) ? 2 : 3);
      } else return;
    }
  };
  const element = (): [string, XmlValue] => {
    const open = /^<([A-Za-z_][\w.-]*)\s*(\/?)>/.exec(s.slice(i, i + 300));
    if (!open) throw new Error(`unexpected XML at offset ${i}`);
    i += open[0].length;
    const name = open[1];
    if (open[2]) return [name, ""];
    const lt = s.indexOf("<", i);
    if (lt < 0) throw new Error(`unterminated <${name}>`);
    if (s.startsWith(`</${name}>`, lt)) {
      const text = decode(s.slice(i, lt));
      i = lt + name.length + 3;
      return [name, text];
    }
    if (s.slice(i, lt).trim() !== "") throw new Error(`mixed content in <${name}>`);
    const node: XmlNode = {};
    for (;;) {
      skip();
      if (s.startsWith(`</${name}>`, i)) {
        i += name.length + 3;
        return [name, node];
      }
      const [k, v] = element();
      const prev = node[k];
      node[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
  };
  skip();
  const [root, value] = element();
  skip();
  if (i !== s.length) throw new Error("trailing content after the root element");
  return { root, value: typeof value === "string" ? {} : (value as XmlNode) };
}

function flat(v: XmlValue | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!v || typeof v === "string" || Array.isArray(v)) return out;
  for (const [k, x] of Object.entries(v)) if (typeof x === "string") out[k] = x;
  return out;
}

export function parseManifest(text: string): BundleManifest {
  const { root, value } = parseXml(text);
  if (root !== "xcatimage") throw new Error(`manifest.xml root element is <${root}>, expected <xcatimage>`);
  const str = (k: string) => (typeof value[k] === "string" ? (value[k] as string) : undefined);
  return { osimage: flat(value.osimage), linuximage: flat(value.linuximage), kernel: str("kernel"), ramdisk: str("ramdisk"), rootimg: str("rootimg"), raw: value };
}

/** XMLout-style output (keys sorted, two-space indent). */
export function buildManifest(m: { osimage: Record<string, string>; linuximage: Record<string, string>; kernel?: string; ramdisk?: string; rootimg?: string }): string {
  const lines = ['<?xml version="1.0"?>', "<xcatimage>"];
  const top: [string, string | Record<string, string>][] = [];
  for (const k of ["kernel", "ramdisk", "rootimg"] as const) if (m[k]) top.push([k, m[k]!]);
  top.push(["linuximage", m.linuximage], ["osimage", m.osimage]);
  top.sort(([a], [b]) => a.localeCompare(b));
  for (const [k, v] of top) {
    if (typeof v === "string") lines.push(`  <${k}>${encode(v)}</${k}>`);
    else {
      lines.push(`  <${k}>`);
      for (const a of Object.keys(v).sort()) lines.push(`    <${a}>${encode(v[a])}</${a}>`);
      lines.push(`  </${k}>`);
    }
  }
  lines.push("</xcatimage>", "");
  return lines.join("\n");
}
