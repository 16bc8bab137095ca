import { searchFilesRoute } from "@/lib/api/contracts/files";
import { handle } from "@/lib/api/handle";
import { getImageTree } from "@/lib/files/image-tree";
import { searchNames } from "@/lib/image/search-names";

// GET /api/images/{name}/files/search – file names over the whole image
export const GET = handle(
  searchFilesRoute,
  async ({ params, query }) =>
    await searchNames({ root: await getImageTree(params.name), query: query.q, under: query.under, limit: query.limit }),
);
