import { statFileRoute } from "@/lib/api/contracts/files";
import { handle } from "@/lib/api/handle";
import { getImageTree } from "@/lib/files/image-tree";
import { statEntry } from "@/lib/image/list-directory";

// GET /api/images/{name}/files/stat – details of one entry
export const GET = handle(statFileRoute, async ({ params, query }) => statEntry(await getImageTree(params.name), query.path));
