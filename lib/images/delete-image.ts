import { recordAudit } from "@/lib/audit/record-audit";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { heldKeys } from "@/lib/jobs/active-jobs";
import { getBackend } from "@/lib/xcat/select-backend";
import { imageJobKey } from "./image-context";

/** Deletes a local-registry image and its directory (admins, confirmed at the route). xCAT images: use rmimage/rmdef. */
export async function deleteImage(opts: { name: string; user: { id: string; username: string } }) {
  const backend = getBackend();
  if (!backend.deleteImage) throw new AppError("bad_request", "deleting xCAT osimages is left to xCAT (rmimage, rmdef)");
  if (heldKeys.has(imageJobKey(opts.name))) throw new AppError("conflict", `a job is running on ${opts.name}; wait for it or cancel it`);
  await backend.deleteImage(opts.name);
  await prisma.$transaction((tx) => recordAudit(tx, { user: opts.user, action: "image.delete", image: opts.name, outcome: "ok" }));
  return { deleted: opts.name };
}
