import { z } from "zod";
import { defineRoute } from "../define-route";

const statusSchema = z.enum(["ok", "warning", "failing"]);

export const healthSchema = z.object({
  status: statusSchema,
  checkedAt: z.date(),
  uptimeSeconds: z.number(),
  checks: z.array(
    z.object({
      name: z.enum(["process", "transport", "database", "backend", "disk"]),
      status: statusSchema,
      /** only for a signed-in caller: messages and paths name the machine's layout */
      message: z.string().optional(),
      path: z.string().optional(),
      role: z.enum(["data", "images"]).optional(),
      freeBytes: z.number().optional(),
      totalBytes: z.number().optional(),
    }),
  ),
});
export type HealthDto = z.output<typeof healthSchema>;

// Public for monitoring (no session): 200 while the dashboard can serve (warnings included), 503 when failing.
export const healthRoute = defineRoute({
  method: "GET",
  path: "/api/health",
  role: "public",
  summary:
    "Health for monitoring: process, database, backend (xCAT or local) and free disk space of the data and image directories. " +
    "200 with status ok or warning, 503 when failing. Without a session only statuses and sizes; signed in, also messages and paths.",
  tags: ["meta"],
  response: healthSchema,
});
