import fs from "node:fs";
import type { SessionUser } from "@/lib/auth/session";
import { getImageTree } from "@/lib/files/image-tree";
import { imagePathOf } from "@/lib/files/recorded-edits";
import { getSecuritySettings } from "@/lib/security/security-settings";
import { mayReadSensitive, sensitiveCheck } from "@/lib/security/sensitive-files";
import { pristineOfTree } from "./pristine-store";

/**
 * Why the caller may not see the content of a changed path, or undefined: a viewer sees that a sensitive file
 * changed and how its metadata moved, never its bytes, on either side (the pristine ones are as secret).
 */
export async function contentHiddenFor(user: SessionUser, image: string, path: string): Promise<string | undefined> {
  if (mayReadSensitive(user)) return undefined;
  const p = imagePathOf(path);
  const tree = await getImageTree(image);
  const check = sensitiveCheck(await getSecuritySettings());
  const pristine = await pristineOfTree(tree, p);
  if (pristine && check(p, { mode: pristine.mode, uid: pristine.uid, isFile: () => pristine.type === "file" }))
    return "a sensitive file: its content needs the editor role";
  const st = fs.lstatSync(`${tree}${p}`, { throwIfNoEntry: false });
  if (st && check(p, st)) return "a sensitive file: its content needs the editor role";
  return undefined;
}
