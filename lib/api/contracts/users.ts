import { z } from "zod";
import { roleSchema } from "@/lib/auth/roles";
import { defineRoute } from "../define-route";

export const usernameSchema = z
  .string()
  .regex(/^[a-z_][a-z0-9_.-]{0,31}$/, "lower-case letters, digits, _ . - (max 32), starting with a letter or _");
export const newPasswordSchema = z.string().min(8, "at least 8 characters").max(1024);

export const userSchema = z.object({
  id: z.string(),
  username: z.string(),
  role: roleSchema,
  disabled: z.boolean(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type UserDto = z.infer<typeof userSchema>;

const userIdParams = z.object({ id: z.string().min(1).max(64) });

export const listUsersRoute = defineRoute({
  method: "GET",
  path: "/api/users",
  role: "admin",
  summary: "List user accounts",
  tags: ["users"],
  response: z.object({ users: z.array(userSchema) }),
});

export const createUserRoute = defineRoute({
  method: "POST",
  path: "/api/users",
  role: "admin",
  summary: "Create a user account",
  tags: ["users"],
  body: z.object({ username: usernameSchema, password: newPasswordSchema, role: roleSchema }),
  response: userSchema,
  status: 201,
});

export const updateUserRoute = defineRoute({
  method: "PATCH",
  path: "/api/users/{id}",
  role: "admin",
  summary: "Change a user's role or disable/enable the account (disabling ends its sessions)",
  tags: ["users"],
  params: userIdParams,
  body: z.object({ role: roleSchema.optional(), disabled: z.boolean().optional() }),
  response: userSchema,
});

export const resetPasswordRoute = defineRoute({
  method: "POST",
  path: "/api/users/{id}/password",
  role: "admin",
  summary: "Set a new password for a user (ends the user's sessions)",
  tags: ["users"],
  params: userIdParams,
  body: z.object({ password: newPasswordSchema }),
  status: 204,
});
