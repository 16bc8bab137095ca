import { createEntryRoute } from "@/lib/api/contracts/files";
import { handle } from "@/lib/api/handle";
import { getImageTree } from "@/lib/files/image-tree";
import { runFileChange } from "@/lib/files/record-file-change";
import { createEntry } from "@/lib/image/create-entry";

const kinds = { file: "create", dir: "mkdir", symlink: "symlink" } as const;

// POST /api/images/{name}/files/create – new empty file, directory or symlink
export const POST = handle(createEntryRoute, async ({ user, params, body }) => {
  const root = await getImageTree(params.name);
  return runFileChange(
    { user, image: params.name, tree: root, kind: kinds[body.type], action: `file.${kinds[body.type]}`, target: body.path },
    () => createEntry({ root, ...body }),
    (e) => ({ paths: [e.path], detail: { type: body.type, target: body.target, mode: e.octal } }),
  );
});
