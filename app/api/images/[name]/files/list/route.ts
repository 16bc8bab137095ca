import { listFilesRoute } from "@/lib/api/contracts/files";
import { handle } from "@/lib/api/handle";
import { getImageTree } from "@/lib/files/image-tree";
import { listDirectory } from "@/lib/image/list-directory";

// GET /api/images/{name}/files/list – one directory of the unpacked image
// Returned as a Response: the DTO is built by lib/image already in the contract's shape, and re-parsing
// 10,000 entries with zod would add a third to the time of a big listing.
export const GET = handle(listFilesRoute, async ({ params, query }) =>
  Response.json(listDirectory(await getImageTree(params.name), query.path)),
);
