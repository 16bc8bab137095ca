import { XMLParser, XMLValidator } from "fast-xml-parser";

/**
 * manifest.xml of an xCAT image bundle, as imgexport writes it with Perl's
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

const encode = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Larger than any manifest XMLout writes (a few kB) by orders of magnitude; refusing beyond it bounds the parse. */
export const MAX_MANIFEST_CHARS = 1 << 20;
/** XMLout's manifests nest three levels (xcatimage > osimage > attribute). */
const MAX_DEPTH = 8;

const parser = new XMLParser({
  ignoreAttributes: false, // attributes are parsed so that they can be refused, not silently dropped
  attributeNamePrefix: "@",
  textNodeName: "#text",
  parseTagValue: false, // values stay strings: "09" is a version, not the number 9
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Decodes numeric character references too. parseXml refuses every other reference beforehand, so the
  // HTML named entities this also enables never reach the parser.
  htmlEntities: true,
  maxNestedTags: MAX_DEPTH,
});

/**
 * Parser for XMLout's subset, on fast-xml-parser. A bundle is untrusted input, so beyond well-formedness
 * it refuses what XMLout never writes: DOCTYPE (and with it entity declarations and their expansion),
 * CDATA, attributes, unknown entity references, mixed content, nesting deeper than MAX_DEPTH, and input
 * larger than MAX_MANIFEST_CHARS.
 */
export function parseXml(text: string): { root: string; value: XmlNode } {
  if (text.length > MAX_MANIFEST_CHARS) throw new Error(`larger than ${MAX_MANIFEST_CHARS} characters`);
  const s = text.replace(/^\uFEFF/, "");
  if (/<!(?!--)/.test(s)) throw new Error("DOCTYPE, entity declarations and CDATA are not allowed");
  const entity = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i.exec(s);
  if (entity) throw new Error(`unknown or unterminated entity reference at offset ${entity.index}`);
  const valid = XMLValidator.validate(s);
  if (valid !== true) throw new Error(`${valid.err.msg} (line ${valid.err.line})`);
  const doc = parser.parse(s) as Record<string, unknown>;
  const roots = Object.keys(doc);
  if (roots.length !== 1) throw new Error(`expected one root element, found ${roots.length}`);
  const value = toValue(roots[0], doc[roots[0]]);
  return { root: roots[0], value: typeof value === "string" ? {} : (value as XmlNode) };
}

function toValue(name: string, v: unknown): XmlValue {
  if (typeof v === "string") return v;
  if (Array.isArray(v)) return v.map((x) => toValue(name, x));
  const node: XmlNode = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (k.startsWith("@")) throw new Error(`attribute ${k.slice(1)} on <${name}>`);
    if (k === "#text") {
      if (typeof x !== "string" || x.trim() !== "") throw new Error(`mixed content in <${name}>`);
      continue;
    }
    node[k] = toValue(k, x);
  }
  return node;
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
  return {
    osimage: flat(value.osimage),
    linuximage: flat(value.linuximage),
    kernel: str("kernel"),
    ramdisk: str("ramdisk"),
    rootimg: str("rootimg"),
    raw: value,
  };
}

/** XMLout-style output (keys sorted, two-space indent). */
export function buildManifest(m: {
  osimage: Record<string, string>;
  linuximage: Record<string, string>;
  kernel?: string;
  ramdisk?: string;
  rootimg?: string;
}): string {
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
