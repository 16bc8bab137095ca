import type { UserDto } from "@/lib/api/contracts/users";
import { recordAudit } from "@/lib/audit/record-audit";
import { hashPassword } from "@/lib/auth/hash-password";
import { removeInitialAdminPassword } from "@/lib/auth/initial-admin-password";
import type { Role } from "@/lib/auth/roles";
import type { SessionUser } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { endSockets } from "@/lib/realtime/io-registry";
import { prisma, type Tx } from "./client";
import type { User } from "./generated/client";

export function toUserDto(u: User): UserDto {
  return { id: u.id, username: u.username, role: u.role as Role, disabled: u.disabled, createdAt: u.createdAt, updatedAt: u.updatedAt };
}

export async function listUsers(): Promise<UserDto[]> {
  return (await prisma.user.findMany({ orderBy: { username: "asc" } })).map(toUserDto);
}

export type CreateUserOptions = { actor: SessionUser | null; username: string; password: string; role: Role };

export async function createUser({ actor, username, password, role }: CreateUserOptions): Promise<UserDto> {
  const passwordHash = await hashPassword(password);
  return prisma.$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { username } })) throw new AppError("conflict", `A user named ${username} already exists.`);
    const u = await tx.user.create({ data: { username, passwordHash, role } });
    await recordAudit(tx, { user: actor, action: "user.create", target: username, outcome: "ok", detail: { role } });
    return toUserDto(u);
  });
}

export type UpdateUserOptions = { actor: SessionUser; id: string; role?: Role; disabled?: boolean };

/** Changes role and/or disabled. Refuses to leave the system without an enabled admin. */
export async function updateUser({ actor, id, role, disabled }: UpdateUserOptions): Promise<UserDto> {
  let ended = false;
  const dto = await prisma.$transaction(async (tx) => {
    const before = await getUserOrThrow(tx, id);
    const losesAdmin = before.role === "admin" && !before.disabled && ((role !== undefined && role !== "admin") || disabled === true);
    if (losesAdmin && (await tx.user.count({ where: { role: "admin", disabled: false } })) <= 1) {
      throw new AppError("conflict", `${before.username} is the last enabled admin; make another admin first.`);
    }
    const u = await tx.user.update({ where: { id }, data: { role, disabled } });
    // A disabled account or a changed role starts from a fresh sign-in.
    if (disabled === true || (role !== undefined && role !== before.role)) {
      await tx.session.deleteMany({ where: { userId: id } });
      ended = true;
    }
    await recordAudit(tx, {
      user: actor,
      action: "user.update",
      target: before.username,
      outcome: "ok",
      detail: { from: { role: before.role, disabled: before.disabled }, to: { role: u.role, disabled: u.disabled } },
    });
    return toUserDto(u);
  });
  // After the commit: their open sockets (rooms of the old role) end with the sessions.
  if (ended) endSockets({ userId: id });
  return dto;
}

export async function resetPassword({ actor, id, password }: { actor: SessionUser; id: string; password: string }): Promise<void> {
  const passwordHash = await hashPassword(password);
  const username = await prisma.$transaction(async (tx) => {
    const u = await getUserOrThrow(tx, id);
    await tx.user.update({ where: { id }, data: { passwordHash } });
    await tx.session.deleteMany({ where: { userId: id } });
    await recordAudit(tx, { user: actor, action: "user.password", target: u.username, outcome: "ok" });
    return u.username;
  });
  endSockets({ userId: id });
  // The generated first password is void once changed: its file goes.
  if (username === "admin" && removeInitialAdminPassword(env().dataDir))
    console.log("removed the initial admin password file (the password was changed)");
}

async function getUserOrThrow(tx: Tx, id: string): Promise<User> {
  const u = await tx.user.findUnique({ where: { id } });
  if (!u) throw new AppError("not_found", `No user with id ${id}.`);
  return u;
}
