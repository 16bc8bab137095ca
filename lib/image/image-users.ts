import fs from "node:fs";
import { AppError, isAppError } from "@/lib/errors";
import { openInRoot } from "./open-in-root";
import { resolveInRoot } from "./resolve-in-root";

/** Name <-> id maps read from the IMAGE's own /etc/passwd and /etc/group (never the host's). */
export type ImageUsers = {
  userById: Map<number, string>;
  groupById: Map<number, string>;
  uidByName: Map<string, number>;
  gidByName: Map<string, number>;
};

/** Parses passwd/group text: `name:x:id:...` per line; comments, blanks and broken lines are skipped. */
export function parseIdFile(text: string): { byId: Map<number, string>; byName: Map<string, number> } {
  const byId = new Map<number, string>();
  const byName = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#") || line.startsWith("+") || line.startsWith("-")) continue;
    const f = line.split(":");
    if (f.length < 3 || f[0] === "" || !/^\d+$/.test(f[2])) continue;
    const id = Number(f[2]);
    if (!byId.has(id)) byId.set(id, f[0]); // first entry wins, as in getpwuid
    if (!byName.has(f[0])) byName.set(f[0], id);
  }
  return { byId, byName };
}

function readInImage(root: string, file: string): { text: string; key: string } {
  let r: ReturnType<typeof resolveInRoot>;
  try {
    r = resolveInRoot(root, file, { followFinal: true });
  } catch (e) {
    if (isAppError(e) && e.code === "not_found") return { text: "", key: "none" };
    throw e;
  }
  try {
    if (!r.exists || !r.stat?.isFile()) return { text: "", key: "none" };
    const fd = openInRoot(r, fs.constants.O_RDONLY);
    try {
      const st = fs.fstatSync(fd, { bigint: true });
      return { text: fs.readFileSync(fd, "utf8"), key: `${st.ino}-${st.size}-${st.mtimeNs}` };
    } finally {
      fs.closeSync(fd);
    }
  } finally {
    r.close();
  }
}

const cache = new Map<string, { key: string; users: ImageUsers }>();

/** Reads (and caches until either file changes) the image's users and groups. */
export function readImageUsers(root: string): ImageUsers {
  const p = readInImage(root, "/etc/passwd");
  const g = readInImage(root, "/etc/group");
  const key = `${p.key}|${g.key}`;
  const hit = cache.get(root);
  if (hit && hit.key === key) return hit.users;
  const pu = parseIdFile(p.text);
  const gr = parseIdFile(g.text);
  const users = { userById: pu.byId, uidByName: pu.byName, groupById: gr.byId, gidByName: gr.byName };
  cache.set(root, { key, users });
  return users;
}

/** Turns "munge", "4242" or 4242 into an id using the image's database; unknown names are refused. */
export function idFromNameOrNumber(value: string | number, byName: Map<string, number>, what: "user" | "group"): number {
  if (typeof value === "number" || /^\d+$/.test(value)) {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 0xfffffffe) throw new AppError("unprocessable", `${value} is not a valid ${what} id.`);
    return n;
  }
  const id = byName.get(value);
  if (id === undefined) {
    throw new AppError(
      "unprocessable",
      `No ${what} named "${value}" in the image's /etc/${what === "user" ? "passwd" : "group"}; use a number or add the ${what} first.`,
    );
  }
  return id;
}
