import { changedFilesRoute } from "@/lib/api/contracts/files";
import { handle } from "@/lib/api/handle";
import { changedPaths } from "@/lib/files/changed-paths";
import { getImageTree } from "@/lib/files/image-tree";

// GET /api/images/{name}/files/changed – paths changed since unpack, for the tree's marks
export const GET = handle(changedFilesRoute, async ({ params }) => changedPaths(params.name, await getImageTree(params.name)));
