/**
 * `tabdump TABLE` output: a `#col1,col2,...` header, then one CSV row per table row with every set value in
 * double quotes and unset ones empty. Real output from xCAT's documentation (the passwd table):
 *   #key,username,password,cryptmethod,authdomain,comments,disable
 *   "system","root","cluster",,,,
 */
export function parseTabdump(text: string): Record<string, string>[] {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const header = lines.find((l) => l.startsWith("#"));
  if (!header) return [];
  const cols = splitRow(header.slice(1)).map((c) => c ?? "");
  return lines
    .filter((l) => !l.startsWith("#"))
    .map((l) => {
      const row: Record<string, string> = {};
      splitRow(l).forEach((v, i) => {
        if (v !== undefined && cols[i]) row[cols[i]] = v;
      });
      return row;
    });
}

/** One CSV row; an unquoted empty field is undefined (unset), `""` inside quotes is one quote. */
function splitRow(line: string): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let v = "";
      i++;
      for (; i < line.length; i++) {
        if (line[i] === '"' && line[i + 1] === '"') {
          v += '"';
          i++;
        } else if (line[i] === '"') break;
        else v += line[i];
      }
      i++; // closing quote
      out.push(v);
    } else {
      const end = line.indexOf(",", i);
      const raw = line.slice(i, end < 0 ? line.length : end);
      out.push(raw === "" ? undefined : raw);
      i = end < 0 ? line.length : end;
    }
    if (line[i] !== ",") return out;
    i++;
  }
}
