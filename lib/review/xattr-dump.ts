/**
 * getfattr's dump format (`getfattr -d -m - -e base64`: `name=0s<base64>`, or `name="text"` / `name=0x<hex>`
 * from other encodings) to and from name -> base64 value, the form the review's API and store carry.
 */
export function parseXattrDump(dump: Buffer | string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of dump.toString("latin1").split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    const name = Buffer.from(eq < 0 ? line : line.slice(0, eq), "latin1").toString("utf8");
    const v = eq < 0 ? "" : line.slice(eq + 1);
    if (v.startsWith("0s")) out[name] = v.slice(2);
    else if (v.startsWith("0x")) out[name] = Buffer.from(v.slice(2), "hex").toString("base64");
    else if (v.startsWith('"') && v.endsWith('"')) out[name] = Buffer.from(v.slice(1, -1), "latin1").toString("base64");
    else out[name] = "";
  }
  return out;
}

/** A dump setfattr --restore applies: every value base64 (`0s`), names with odd bytes octal-escaped. */
export function formatXattrDump(file: string, xattrs: Record<string, string>): Buffer {
  const quote = (s: string) => {
    let q = "";
    for (const b of Buffer.from(s))
      q += /[A-Za-z0-9/._+:@-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `\\${b.toString(8).padStart(3, "0")}`;
    return q;
  };
  const lines = Object.entries(xattrs).map(([n, v]) => `${quote(n)}=0s${v}`);
  return Buffer.from(`# file: ${quote(file)}\n${lines.join("\n")}\n\n`, "latin1");
}
