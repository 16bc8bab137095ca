import { deleteImageRoute, getImageRoute } from "@/lib/api/contracts/images";
import { handle } from "@/lib/api/handle";
import { deleteImage } from "@/lib/images/delete-image";
import { getImageDetail } from "@/lib/images/image-summary";

// GET /api/images/{name} – attributes, files in rootimgdir, versions
export const GET = handle(getImageRoute, async ({ params }) => getImageDetail(params.name));

// DELETE /api/images/{name}?confirm=yes – local registry only
export const DELETE = handle(deleteImageRoute, async ({ params, user }) => deleteImage({ name: params.name, user }));
