import type fs from "node:fs";
import type { TreeChange } from "@/lib/archive";
import { diffTree } from "@/lib/archive";
import { prisma } from "@/lib/db/client";
import { getImageTree } from "@/lib/files/image-tree";
import { type CommandSource, imagePathOf, recordedEdits } from "@/lib/files/recorded-edits";
import { resolveInRoot } from "@/lib/image/resolve-in-root";

export type PendingChangeEntry = {
  /** absolute path inside the image, e.g. /etc/motd */
  path: string;
  /** what the disk says, against the pristine manifest; "recorded" when no manifest exists to compare with */
  kind: TreeChange["kind"] | "recorded";
  letter: TreeChange["letter"] | "?";
  fields?: string[];
  /** who touched it through Rootimg Studio since the unpack (oldest first); empty when changed outside it */
  by: string[];
  lastAt?: Date;
  /** how many recorded edits touched this path */
  edits: number;
  /** what makes the changed entry privileged now (setuid, setgid, device): the review shows it highlighted */
  privileged?: string[];
  /** chroot commands or shells whose applied effect touched this path */
  commands: CommandSource[];
};

/** Setuid/setgid bits and device nodes of an added or changed entry: they grant root on the nodes. */
function privilegedNow(tree: string, p: string): string[] | undefined {
  let st: fs.Stats | undefined;
  try {
    const r = resolveInRoot(tree, p, { followFinal: false }); // never through a link out of the image
    st = r.stat;
    r.close();
  } catch {
    return undefined;
  }
  if (!st) return undefined;
  const out: string[] = [];
  if (st.isFile() && st.mode & 0o4000) out.push("setuid");
  if (st.isFile() && st.mode & 0o2000) out.push("setgid");
  if (st.isCharacterDevice() || st.isBlockDevice()) out.push("device");
  return out.length ? out : undefined;
}

export type ImagePendingChanges = {
  image: string;
  state: string;
  unpackedAt?: Date;
  unpackedBy?: string;
  /** false when the tree has no pristine manifest (e.g. adopted from genimage): only recorded edits are listed */
  compared: boolean;
  changes: PendingChangeEntry[];
  /** why this image could not be read (tree gone, diff failed); the others are still listed */
  error?: string;
};

/**
 * What is pending in one unpacked image: the disk compared with the pristine manifest (the truth, so an
 * edit that was undone is not pending, and a change made by a chroot command or by hand on the management
 * node is), attributed to the users whose recorded edits touched each path since the last pack (or the unpack).
 */
export async function pendingChangesOf(image: string, signal?: AbortSignal): Promise<ImagePendingChanges> {
  const ws = await prisma.workspace.findUnique({ where: { image } });
  const base: ImagePendingChanges = {
    image,
    state: ws?.state ?? "packed",
    unpackedAt: ws?.unpackedAt ?? undefined,
    unpackedBy: ws?.unpackedBy ?? undefined,
    compared: false,
    changes: [],
  };
  const touched = await recordedEdits(image);
  let tree: string;
  try {
    tree = await getImageTree(image);
  } catch (e) {
    return { ...base, error: (e as Error).message };
  }
  const attribution = (p: string) => touched.get(p) ?? { by: [], lastAt: undefined, edits: 0, commands: [] };
  try {
    const diff = await diffTree({ tree, signal });
    const changes = diff.changes.map((c): PendingChangeEntry => {
      const path = imagePathOf(c.path);
      const privileged = c.kind === "removed" ? undefined : privilegedNow(tree, path);
      return {
        path,
        kind: c.kind,
        letter: c.letter,
        ...(c.fields ? { fields: c.fields } : {}),
        ...attribution(path),
        ...(privileged ? { privileged } : {}),
      };
    });
    return { ...base, compared: true, changes: changes.sort((a, b) => a.path.localeCompare(b.path)) };
  } catch (e) {
    if (signal?.aborted) throw e;
    // No manifest to compare with: what the editor recorded is all that is known.
    const changes = [...touched.keys()]
      .sort()
      .map((path): PendingChangeEntry => ({ path, kind: "recorded", letter: "?", ...attribution(path) }));
    return { ...base, changes, error: `Not compared with the pristine image: ${(e as Error).message}` };
  }
}

/** Pending changes of every image that has a workspace (unpacked, or being packed or unpacked). */
export async function listPendingChanges(opts: { image?: string; signal?: AbortSignal } = {}): Promise<ImagePendingChanges[]> {
  const workspaces = await prisma.workspace.findMany({
    where: { state: { not: "packed" }, ...(opts.image ? { image: opts.image } : {}) },
    orderBy: { image: "asc" },
    select: { image: true },
  });
  const out: ImagePendingChanges[] = [];
  // One image at a time: each diff stats (and may hash) a whole tree; two at once only compete for the disk.
  for (const w of workspaces) out.push(await pendingChangesOf(w.image, opts.signal));
  return out;
}
