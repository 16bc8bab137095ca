import { listFilesRoute } from "@/lib/api/contracts/files";
import { handle } from "@/lib/api/handle";
import { getImageTree } from "@/lib/files/image-tree";
import { listDirectory } from "@/lib/image/list-directory";

// GET /api/images/{name}/files/list – one directory of the unpacked image
export const GET = handle(listFilesRoute, async ({ params, query }) => listDirectory(await getImageTree(params.name), query.path));
