import { deleteEntryRoute } from "@/lib/api/contracts/files";
import { handle } from "@/lib/api/handle";
import { getImageTree } from "@/lib/files/image-tree";
import { runFileChange } from "@/lib/files/record-file-change";
import { deleteEntry } from "@/lib/image/delete-entry";

// DELETE /api/images/{name}/files/entry – delete a file, link or directory (recursively)
export const DELETE = handle(deleteEntryRoute, async ({ user, params, query }) => {
  const root = await getImageTree(params.name);
  return runFileChange(
    { user, image: params.name, tree: root, kind: "delete", action: "file.delete", target: query.path },
    () => deleteEntry({ root, path: query.path }),
    (r) => ({ paths: [r.path], detail: { removed: r.removed, type: r.type } }),
  );
});
