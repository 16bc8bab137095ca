import { renameEntryRoute } from "@/lib/api/contracts/files";
import { handle } from "@/lib/api/handle";
import { getImageTree } from "@/lib/files/image-tree";
import { runFileChange } from "@/lib/files/record-file-change";
import { renameEntry } from "@/lib/image/rename-entry";

// POST /api/images/{name}/files/rename – rename or move an entry inside the image
export const POST = handle(renameEntryRoute, async ({ user, params, body }) => {
  const root = await getImageTree(params.name);
  return runFileChange(
    { user, image: params.name, tree: root, kind: "rename", action: "file.rename", target: body.from, touches: [body.to] },
    () => renameEntry({ root, from: body.from, to: body.to }),
    (e) => ({ paths: [e.path, body.from], detail: { from: body.from, to: e.path } }),
  );
});
