import { z } from "zod";
import { defineRoute } from "../define-route";

export const auditEntrySchema = z.object({
  id: z.number().int(),
  at: z.date(),
  username: z.string(),
  action: z.string(),
  image: z.string().nullable(),
  node: z.string().nullable(),
  target: z.string().nullable(),
  outcome: z.string(),
  detail: z.unknown(),
});
export type AuditEntryDto = z.infer<typeof auditEntrySchema>;

export const listAuditRoute = defineRoute({
  method: "GET",
  path: "/api/audit",
  role: "viewer",
  summary: "The audit log, newest first; filter by user, image and action (prefix match on action: `image.`)",
  tags: ["audit"],
  query: z.object({
    user: z.string().max(64).optional(),
    image: z.string().max(128).optional(),
    action: z.string().max(64).optional(),
    /** page backwards: entries with an id below this */
    before: z.coerce.number().int().positive().optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  }),
  response: z.object({ entries: z.array(auditEntrySchema), nextBefore: z.number().int().nullable() }),
});
