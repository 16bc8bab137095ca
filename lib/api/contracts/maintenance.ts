import { z } from "zod";
import { defineRoute } from "../define-route";

export const startedJobSchema = z.object({ jobId: z.string() });

export const backupDatabaseRoute = defineRoute({
  method: "POST",
  path: "/api/maintenance/backup",
  role: "admin",
  summary: "Start a job that writes a consistent copy of the database to <data dir>/backups/ and verifies it",
  tags: ["maintenance"],
  response: startedJobSchema,
  status: 202,
});

export const openApiRoute = defineRoute({
  method: "GET",
  path: "/api/openapi.json",
  role: "viewer",
  summary: "This document",
  tags: ["meta"],
  response: "raw",
  rawContentType: "application/json",
});
