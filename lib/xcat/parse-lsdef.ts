/**
 * Parsers for `lsdef` output (xCAT 2.19; real outputs in test/fake-xcat/xcat-transcripts*.md).
 * lsdef prints data on stdout and `Error: [host]: text` / `Warning: [host]: text` on stderr; older
 * xCATs print `Error: text` without the host, so both forms are accepted.
 */

/** stdout of `lsdef -t osimage` with no images at all (rc 0). */
export const NO_DEFINITIONS_TO_DISPLAY = "Could not find any object definitions to display.";
/** stdout of `lsdef -t osimage -o MISSING` (rc 1, with an Error on stderr). */
export const NO_DEFINITIONS_FOUND = "No object definitions have been found";

export type XcatObject = { name: string; attrs: Record<string, string> };

/** `lsdef -t osimage` short form: `<name>  (osimage)` per line. */
export function parseObjectList(stdout: string, type = "osimage"): string[] {
  const names: string[] = [];
  const suffix = `  (${type})`;
  for (const line of splitLines(stdout)) {
    if (line === NO_DEFINITIONS_TO_DISPLAY || line === "") continue;
    if (!line.endsWith(suffix)) throw new Error(`unexpected lsdef line: ${JSON.stringify(line)}`);
    names.push(line.slice(0, -suffix.length));
  }
  return names;
}

/**
 * `lsdef -t osimage -o NAME` / `-l`: blocks of `Object name: X` followed by `    attr=value` lines.
 * A value may contain `=` (only the first one splits) and may be empty (`-i` prints empty attributes).
 */
export function parseObjectStanzas(stdout: string): XcatObject[] {
  const objects: XcatObject[] = [];
  let current: XcatObject | undefined;
  for (const line of splitLines(stdout)) {
    if (line === "" || line === NO_DEFINITIONS_FOUND || line === NO_DEFINITIONS_TO_DISPLAY) continue;
    const head = /^Object name: (.+)$/.exec(line);
    if (head) {
      current = { name: head[1], attrs: {} };
      objects.push(current);
      continue;
    }
    const attr = /^\s+([^=\s]+)=(.*)$/.exec(line);
    if (attr && current) {
      current.attrs[attr[1]] = attr[2];
      continue;
    }
    throw new Error(`unexpected lsdef line: ${JSON.stringify(line)}`);
  }
  return objects;
}

export type XcatMessages = { errors: string[]; warnings: string[]; other: string[] };

/**
 * stderr of any xCAT client command. Accepts `Error: [host]: text`, `Error: text`,
 * per-node `node: [host]: Error: text`, and the same shapes for `Warning`.
 */
export function parseXcatMessages(stderr: string): XcatMessages {
  const out: XcatMessages = { errors: [], warnings: [], other: [] };
  for (const line of splitLines(stderr)) {
    if (line === "") continue;
    const m = /^(?:(\S+): (?:\[[^\]]*\]: )?)?(Error|Warning): (?:\[[^\]]*\]: )?(.*)$/.exec(line);
    if (!m) {
      out.other.push(line);
      continue;
    }
    const text = m[1] ? `${m[1]}: ${m[3]}` : m[3];
    (m[2] === "Error" ? out.errors : out.warnings).push(text);
  }
  return out;
}

/** `Could not find an object named 'X' of type 'T'.` → true: the adapter maps it to not_found. */
export function isNotFoundMessage(text: string): boolean {
  return (
    /^Could not find an object named '.*' of type '.*'\.$/.test(text) || /^Cannot find image '.*' from the osimage table\.$/.test(text)
  );
}

export function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  return lines.map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
}
