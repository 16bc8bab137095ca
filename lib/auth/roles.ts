import { z } from "zod";

/** Roles in ascending order of power: each role may do everything the ones before it may. */
export const ROLES = ["viewer", "editor", "reviewer", "admin"] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

export function roleRank(role: string): number {
  return ROLES.indexOf(role as Role);
}

/** True when `user` holds `min` or a stronger role. Unknown roles hold nothing. */
export function hasRole(user: { role: string } | null | undefined, min: Role): boolean {
  if (!user) return false;
  const rank = roleRank(user.role);
  return rank >= 0 && rank >= roleRank(min);
}

/** The strongest role below `role`, or undefined for viewer (used by the API access tests). */
export function roleBelow(role: Role): Role | undefined {
  const i = roleRank(role);
  return i > 0 ? ROLES[i - 1] : undefined;
}
