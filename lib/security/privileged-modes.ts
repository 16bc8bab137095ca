import { recordAudit } from "@/lib/audit/record-audit";
import { hasRole } from "@/lib/auth/roles";
import type { SessionUser } from "@/lib/auth/session";
import type { EffectEntry } from "@/lib/chroot/effect";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { getSecuritySettings } from "./security-settings";

/** What makes a change privileged: it can hand a local user or a node's user root. */
export type PrivilegedReason = "setuid" | "setgid" | "root-executable" | "device";
export const PRIVILEGED_ORDER: readonly PrivilegedReason[] = ["setuid", "setgid", "root-executable", "device"];

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

/**
 * The privileged part of what a command did to one path (the file API cannot make device nodes; a command's
 * mknod can): the reasons above for a regular file, and a device node that is new or points at another device.
 */
export function privilegedEffect(e: EffectEntry): PrivilegedReason[] {
  const after = e.after;
  if (!after) return [];
  if (after.type === "char" || after.type === "block") {
    const sameDevice = e.before?.type === after.type && !e.fields?.includes("device");
    return sameDevice ? [] : ["device"];
  }
  const before = e.before?.type === after.type ? e.before : undefined;
  const reasons = privilegedReasons({ type: after.type, before, after });
  // new content under setuid/setgid bits it kept (cp over a setuid program): as an upload over one, where
  // those bits are dropped for whoever may not set them
  if (before && e.fields?.includes("content")) {
    if (after.mode & 0o4000 && !reasons.includes("setuid")) reasons.push("setuid");
    if (after.mode & 0o2000 && !reasons.includes("setgid")) reasons.push("setgid");
  }
  return reasons;
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
  return privilegedAction(reasons);
}

/** The audit action of an allowed privileged change: file.setuid (setuid/setgid), file.device, file.chown-root. */
export function privilegedAction(reasons: PrivilegedReason[]): string {
  if (reasons.includes("setuid") || reasons.includes("setgid")) return "file.setuid";
  return reasons.includes("device") ? "file.device" : "file.chown-root";
}
