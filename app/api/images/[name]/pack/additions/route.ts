import { packAdditionsRoute } from "@/lib/api/contracts/images";
import { handle } from "@/lib/api/handle";
import { previewPackAdditions } from "@/lib/images/preview-pack-additions";

// GET /api/images/{name}/pack/additions – what the next own pack adds to the archive ("added by packing")
export const GET = handle(packAdditionsRoute, async ({ params }) => previewPackAdditions(params.name));
