import type { SessionUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";

/**
 * Commands and shells run as root in the image: editors and admins only. A reviewer, although above an editor
 * for approving changes, does not author them (the separation a review is for), so the routes' "editor"
 * role check is completed by this one.
 */
export function assertMayRunCommands(user: SessionUser, what: string): void {
  if (user.role !== "editor" && user.role !== "admin") {
    throw new AppError("forbidden", `Only editors and admins may ${what}; you are signed in as a ${user.role}.`);
  }
}
