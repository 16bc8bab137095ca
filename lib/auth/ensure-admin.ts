import { randomBytes } from "node:crypto";
import { prisma } from "@/lib/db/client";
import { createUser } from "@/lib/db/users";
import { writeInitialAdminPassword } from "./initial-admin-password";

/**
 * On a database without users, creates `admin` with `password` (ADMIN_PASSWORD) or a random one. A random
 * one is written to `<data dir>/initial-admin-password` (0600) and only that file's path is returned for the
 * caller to print: the password itself never reaches stdout or the service journal.
 */
export async function ensureAdmin(opts: {
  password?: string;
  dataDir: string;
}): Promise<{ created: boolean; passwordFile: string | null }> {
  if ((await prisma.user.count()) > 0) return { created: false, passwordFile: null };
  const generated = opts.password ? null : randomBytes(12).toString("base64url");
  await createUser({ actor: null, username: "admin", password: opts.password ?? (generated as string), role: "admin" });
  return { created: true, passwordFile: generated ? writeInitialAdminPassword(opts.dataDir, generated) : null };
}
