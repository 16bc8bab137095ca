import fs from "node:fs";
import path from "node:path";

/** `opt/xcat/xcatinfo` of a tree (IMAGENAME/IMAGEUUID/TIMESTAMP, written at pack time), or {}. */
export function readXcatinfo(tree: string): Record<string, string> {
  try {
    const text = fs.readFileSync(path.join(tree, "opt/xcat/xcatinfo"), "utf8");
    return Object.fromEntries([...text.matchAll(/^(\w+)='([^']*)'/gm)].map((m) => [m[1], m[2]]));
  } catch {
    return {};
  }
}
