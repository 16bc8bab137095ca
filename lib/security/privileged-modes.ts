import { recordAudit } from "@/lib/audit/record-audit";
import { hasRole } from "@/lib/auth/roles";
import type { SessionUser } from "@/lib/auth/session";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { getSecuritySettings } from "./security-settings";

/** What makes a change privileged: it can hand a local user or a node's user root. */
export type PrivilegedReason = "setuid" | "setgid" | "root-executable";

const EXEC = 0o111;

/**
 * The privileged part of a file's new state, given its state before. Setuid/setgid on a regular file (not
 * setgid on a directory: that only makes new files inherit the group), and a change of owner to root of a
 * file anyone may execute. Bits the file had already are not a new privilege.
 */
export function privilegedReasons(o: {
  type: string;
  before?: { mode: number; uid: number };
  after: { mode: number; uid: number };
}): PrivilegedReason[] {
  if (o.type !== "file") return [];
  const had = o.before?.mode ?? 0;
  const out: PrivilegedReason[] = [];
  if (o.after.mode & 0o4000 && !(had & 0o4000)) out.push("setuid");
  if (o.after.mode & 0o2000 && !(had & 0o2000)) out.push("setgid");
  if (o.after.uid === 0 && o.before !== undefined && o.before.uid !== 0 && o.after.mode & EXEC) out.push("root-executable");
  return out;
}

/** Admins always; editors on the images an admin listed in the security settings. */
export async function mayMakePrivileged(user: SessionUser, image: string): Promise<boolean> {
  if (hasRole(user, "admin")) return true;
  return hasRole(user, "editor") && (await getSecuritySettings()).privilegedEditorImages.includes(image);
}

/** 403 unless the user may make this privileged change; returns the audit action to record it under. */
export async function assertMayMakePrivileged(
  user: SessionUser,
  image: string,
  reasons: PrivilegedReason[],
  path: string,
): Promise<string | null> {
  if (reasons.length === 0) return null;
  if (!(await mayMakePrivileged(user, image))) {
    await prisma.$transaction((tx) =>
      recordAudit(tx, {
        user,
        action: "file.privileged",
        image,
        target: path,
        outcome: "denied",
        detail: { privileged: reasons, role: user.role },
      }),
    );
    throw new AppError(
      "forbidden",
      `${path}: ${reasons.join(" and ")} needs the admin role (or an admin allowing editors to on image ${image} in the security settings).`,
      { details: { privileged: reasons } },
    );
  }
  return reasons.includes("root-executable") && reasons.length === 1 ? "file.chown-root" : "file.setuid";
}
