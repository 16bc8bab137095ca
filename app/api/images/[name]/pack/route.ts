import { packImageRoute } from "@/lib/api/contracts/images";
import { handle } from "@/lib/api/handle";
import { packImage } from "@/lib/images/pack-image";

// POST /api/images/{name}/pack – start the pack job (own incremental pack, or xCAT's packimage)
export const POST = handle(packImageRoute, async ({ params, body, user }) =>
  packImage({ name: params.name, user, method: body.method, full: body.full, request: body.request }),
);
