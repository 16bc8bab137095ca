import { recordAudit } from "@/lib/audit/record-audit";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { room } from "@/lib/realtime/events";
import { emitTo } from "@/lib/realtime/io-registry";
import { getBackend } from "@/lib/xcat/select-backend";
import { getImageContext } from "./image-context";
import { withExclusive } from "./image-gate";

/**
 * Deletes a local-registry image and its directory (admins, confirmed at the route). xCAT images: use rmimage/rmdef.
 * Holds the image gate exclusively, refusing at once while a job or a file change (an upload) runs.
 */
export async function deleteImage(opts: { name: string; user: { id: string; username: string } }) {
  const backend = getBackend();
  const remove = backend.deleteImage?.bind(backend);
  if (!remove) throw new AppError("bad_request", "deleting xCAT osimages is left to xCAT (rmimage, rmdef)");
  const ctx = await getImageContext(opts.name, backend);
  await withExclusive(opts.name, { kind: "delete", user: opts.user, tree: ctx.tree, drain: "refuse" }, () => remove(opts.name));
  emitTo(room.images(), "images:changed", { image: opts.name, reason: "deleted" });
  await prisma.$transaction((tx) => recordAudit(tx, { user: opts.user, action: "image.delete", image: opts.name, outcome: "ok" }));
  return { deleted: opts.name };
}
