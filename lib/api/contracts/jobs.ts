import { z } from "zod";
import { defineRoute } from "../define-route";

export const jobStateSchema = z.enum(["queued", "running", "succeeded", "failed", "cancelled", "interrupted"]);
export type JobState = z.infer<typeof jobStateSchema>;

export const jobSchema = z.object({
  id: z.string(),
  type: z.string(),
  ownerName: z.string(),
  image: z.string().nullable(),
  node: z.string().nullable(),
  state: jobStateSchema,
  unit: z.string(),
  done: z.number(),
  total: z.number().nullable(),
  message: z.string().nullable(),
  error: z.string().nullable(),
  params: z.unknown(),
  result: z.unknown(),
  createdAt: z.date(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
});
export type JobDto = z.infer<typeof jobSchema>;

export const jobLogLineSchema = z.object({
  seq: z.number().int(),
  at: z.date(),
  stream: z.enum(["stdout", "stderr", "info"]),
  line: z.string(),
});
export type JobLogLine = z.infer<typeof jobLogLineSchema>;

const jobIdParams = z.object({ id: z.string().min(1).max(64) });

export const listJobsRoute = defineRoute({
  method: "GET",
  path: "/api/jobs",
  role: "viewer",
  summary: "List jobs, newest first",
  tags: ["jobs"],
  query: z.object({
    state: jobStateSchema.optional(),
    type: z.string().max(64).optional(),
    image: z.string().max(128).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  }),
  response: z.object({ jobs: z.array(jobSchema) }),
});

export const getJobRoute = defineRoute({
  method: "GET",
  path: "/api/jobs/{id}",
  role: "viewer",
  summary: "One job with its progress",
  tags: ["jobs"],
  params: jobIdParams,
  response: jobSchema,
});

export const getJobLogRoute = defineRoute({
  method: "GET",
  path: "/api/jobs/{id}/log",
  role: "viewer",
  summary: "A job's stored log lines after `after` (for scripts; the UI gets them over Socket.IO)",
  tags: ["jobs"],
  params: jobIdParams,
  query: z.object({
    after: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(10000).default(1000),
  }),
  response: z.object({ lines: z.array(jobLogLineSchema) }),
});

export const cancelJobRoute = defineRoute({
  method: "POST",
  path: "/api/jobs/{id}/cancel",
  role: "editor",
  summary: "Cancel a queued or running job (its owner, or a reviewer or admin)",
  tags: ["jobs"],
  params: jobIdParams,
  response: jobSchema,
});
