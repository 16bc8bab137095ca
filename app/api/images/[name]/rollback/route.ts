import { rollbackImageRoute } from "@/lib/api/contracts/images";
import { handle } from "@/lib/api/handle";
import { rollbackImage } from "@/lib/images/rollback-image";

// POST /api/images/{name}/rollback – republish an earlier version atomically
export const POST = handle(rollbackImageRoute, async ({ params, body, user }) => {
  const v = await rollbackImage({ name: params.name, seq: body.seq, user });
  return { ...v, packedAt: v.packedAt.toISOString() };
});
