import { unpackImageRoute } from "@/lib/api/contracts/images";
import { handle } from "@/lib/api/handle";
import { unpackImage } from "@/lib/images/unpack-image";

// POST /api/images/{name}/unpack – start the unpack job, or adopt/replace an existing tree
export const POST = handle(unpackImageRoute, async ({ params, body, user }) =>
  unpackImage({ name: params.name, user, mode: body.mode, confirmReplace: body.confirmReplace }),
);
