import { lstatSync, readFileSync, readlinkSync } from "node:fs";
import path from "node:path";
import { ArchiveError } from "./errors.ts";
import type { ExlistRules } from "./types.ts";

const INCLUDE_RE = /^\s*#INCLUDE:([^#]+)#/;

/**
 * Parses xCAT exlist text (linuximage.exlist syntax, packimage semantics): `#` starts a comment anywhere on a
 * line, blank lines are skipped, `+pattern` re-includes, a leading `-` on an exclude is optional.
 * `#INCLUDE:file#` lines are expanded by `parseExlist`; here they are handed to `onInclude`.
 */
export function parseExlistText(text: string, onInclude?: (file: string) => void): { exclude: string[]; include: string[] } {
  const out = { exclude: [] as string[], include: [] as string[] };
  for (const raw of text.split("\n")) {
    const inc = INCLUDE_RE.exec(raw);
    if (inc) {
      // The caller appends the included file's patterns here, keeping file order.
      onInclude?.(inc[1].trim());
      continue;
    }
    const line = raw.replace(/\s*#.*/, "").trim();
    if (line === "") continue;
    if (line.startsWith("+")) {
      const p = line.slice(1).trim();
      if (p) out.include.push(p);
    } else {
      const p = (line.startsWith("-") ? line.slice(1) : line).trim();
      if (p) out.exclude.push(p);
    }
  }
  return out;
}

/**
 * Reads a comma-separated list of exlist files, expanding `#INCLUDE:file#` recursively (relative paths against
 * the including file's directory), in file order.
 */
export async function parseExlist(files: string): Promise<ExlistRules> {
  const rules: ExlistRules = { exclude: [], include: [], files: [] };
  const visit = (file: string, stack: string[]) => {
    const abs = path.resolve(file);
    if (stack.includes(abs)) throw new ArchiveError(`exlist include loop: ${[...stack, abs].join(" -> ")}`);
    if (stack.length > 16) throw new ArchiveError(`exlist includes nested deeper than 16 levels at ${abs}`);
    let text: string;
    try {
      text = readFileSync(abs, "utf8");
    } catch (e) {
      throw new ArchiveError(`cannot read exlist file ${abs}: ${(e as Error).message}`, { cause: e });
    }
    rules.files.push(abs);
    // Parse line by line so patterns from an #INCLUDE# land where the directive stands.
    for (const line of text.split("\n")) {
      const parsed = parseExlistText(line, (inc) => visit(path.resolve(path.dirname(abs), inc), [...stack, abs]));
      rules.exclude.push(...parsed.exclude);
      rules.include.push(...parsed.include);
    }
  };
  for (const f of files
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean))
    visit(f, []);
  return rules;
}

const cache = new Map<string, RegExp>();

/** Translates a find(1) -path glob: `*` and `?` match `/` too (fnmatch without FNM_PATHNAME), `[...]` classes. */
function globToRegExp(glob: string): RegExp {
  let re = "^";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*") re += "[\\s\\S]*";
    else if (c === "?") re += "[\\s\\S]";
    else if (c === "\\" && i + 1 < glob.length) re += escapeRe(glob[++i]);
    else if (c === "[") {
      const end = findClassEnd(glob, i);
      if (end < 0) re += "\\[";
      else {
        let body = glob.slice(i + 1, end);
        let neg = false;
        if (body[0] === "!" || body[0] === "^") {
          neg = true;
          body = body.slice(1);
        }
        re += `[${neg ? "^" : ""}${body.replace(/\\/g, "\\\\").replace(/]/g, "\\]")}]`;
        i = end;
      }
    } else re += escapeRe(c);
  }
  return new RegExp(`${re}$`, "u");
}

function findClassEnd(glob: string, start: number): number {
  let j = start + 1;
  if (glob[j] === "!" || glob[j] === "^") j++;
  if (glob[j] === "]") j++;
  for (; j < glob.length; j++) if (glob[j] === "]") return j;
  return -1;
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** True when `findPath` (as find prints it: "." or "./etc/motd") matches the `-path` pattern. */
export function findPathMatch(pattern: string, findPath: string): boolean {
  let re = cache.get(pattern);
  if (!re) {
    re = globToRegExp(pattern);
    cache.set(pattern, re);
  }
  return re.test(findPath);
}

/** xCAT's packimage always adds these to the exclude pass (statelite bookkeeping). */
export const XCAT_BUILTIN_EXCLUDES = [
  "./etc/init.d/statelite",
  "./etc/rc.sysinit.backup",
  "./.statelite*",
  "./.default*",
  "./.statebackup*",
];

/** Selection like packimage: (not excluded) OR (included); rel is "" for the root. */
export function makeExlistFilter(rules: ExlistRules | undefined): (rel: string) => boolean {
  if (!rules) return () => true;
  const exclude = [...rules.exclude, ...XCAT_BUILTIN_EXCLUDES];
  return (rel) => {
    const p = rel === "" ? "." : `./${rel}`;
    if (!exclude.some((pat) => findPathMatch(pat, p))) return true;
    return rules.include.some((pat) => findPathMatch(pat, p));
  };
}

/**
 * The include lines packimage appends to every exlist when site.timezone is set, so a stock exlist's
 * `./usr/share/zoneinfo*` does not drop the zone file that `etc/localtime` points to: `./usr/share/zoneinfo/<tz>`
 * and, when that is a symlink, the file it finally resolves to. packimage resolves with the host's realpath;
 * here links are followed inside the tree (an absolute target is read against the tree's root), which names the
 * same file for the image's own relative links and the right one for absolute links.
 */
export function timezoneIncludes(tree: string, timezone: string): string[] {
  const zone = `usr/share/zoneinfo/${timezone}`;
  const out = [`./${zone}`];
  const real = resolveInTree(tree, zone);
  if (real && real !== zone) out.push(`./${real}`);
  return out;
}

/** `rel` with every symlink on the way followed inside `tree`; undefined when it dangles or loops. */
export function resolveInTree(tree: string, rel: string): string | undefined {
  let parts = rel.split("/").filter((p) => p && p !== ".");
  const done: string[] = [];
  for (let hops = 0; parts.length > 0; ) {
    const name = parts.shift()!;
    if (name === "..") {
      done.pop();
      continue;
    }
    const cur = [...done, name];
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(path.join(tree, ...cur));
    } catch {
      return undefined;
    }
    if (!st.isSymbolicLink()) {
      done.push(name);
      continue;
    }
    if (++hops > 40) return undefined;
    const target = readlinkSync(path.join(tree, ...cur));
    if (target.startsWith("/")) done.length = 0;
    parts = [...target.split("/").filter((p) => p && p !== "."), ...parts];
  }
  return done.join("/");
}
