/** Republish an earlier version (editors; audited in the same transaction as the version switch). */
import { recordAudit } from "@/lib/audit/record-audit";
import { AppError } from "@/lib/errors";
import { heldKeys } from "@/lib/jobs/active-jobs";
import type { JobUser } from "@/lib/jobs/job-types";
import { acquireImageLock } from "@/lib/xcat/image-lock";
import { getImageContext, imageJobKey } from "./image-context";
import { rollbackVersion } from "./versions";

export async function rollbackImage(opts: { name: string; seq: number; user: JobUser & {} }) {
  const ctx = await getImageContext(opts.name);
  const key = imageJobKey(opts.name);
  if (heldKeys.has(key)) throw new AppError("conflict", `a pack or unpack of ${opts.name} is running (job ${heldKeys.get(key)}); roll back when it ends`);
  heldKeys.set(key, "rollback");
  try {
    const lock = await acquireImageLock({ rootimgDir: ctx.tree });
    try {
      return await rollbackVersion({
        image: opts.name,
        rootimgdir: ctx.rootimgdir,
        seq: opts.seq,
        audit: (tx) => recordAudit(tx, { user: opts.user, action: "image.rollback", image: opts.name, target: `version ${opts.seq}`, outcome: "ok" }),
      });
    } finally {
      lock.release();
    }
  } finally {
    if (heldKeys.get(key) === "rollback") heldKeys.delete(key);
  }
}
