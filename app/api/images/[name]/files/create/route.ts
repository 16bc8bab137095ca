import { createEntryRoute } from "@/lib/api/contracts/files";
import { handle } from "@/lib/api/handle";
import { getImageTree } from "@/lib/files/image-tree";
import { runFileChange } from "@/lib/files/record-file-change";
import { parseMode } from "@/lib/image/change-attributes";
import { createEntry } from "@/lib/image/create-entry";
import { assertMayMakePrivileged, privilegedReasons } from "@/lib/security/privileged-modes";

const kinds = { file: "create", dir: "mkdir", symlink: "symlink" } as const;

// POST /api/images/{name}/files/create – new empty file, directory or symlink (a setuid/setgid file is privileged)
export const POST = handle(createEntryRoute, async ({ user, params, body }) => {
  const root = await getImageTree(params.name);
  const reasons = body.mode === undefined ? [] : privilegedReasons({ type: body.type, after: { mode: parseMode(body.mode), uid: -1 } });
  const privileged = await assertMayMakePrivileged(user, params.name, reasons, body.path);
  return runFileChange(
    { user, image: params.name, tree: root, kind: kinds[body.type], action: privileged ?? `file.${kinds[body.type]}`, target: body.path },
    () => createEntry({ root, ...body }),
    (e) => ({
      paths: [e.path],
      detail: { type: body.type, target: body.target, mode: e.octal, ...(reasons.length ? { privileged: reasons } : {}) },
    }),
  );
});
