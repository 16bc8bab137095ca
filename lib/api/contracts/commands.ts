import { z } from "zod";
import { IMAGE_NAME_RE, isValidImageName } from "@/lib/xcat/image-name";
import { defineRoute } from "../define-route";

const imageName = z.string().regex(IMAGE_NAME_RE, "not a valid image name").refine(isValidImageName, "not a valid image name");
const params = z.object({ name: imageName });
const runParams = z.object({ name: imageName, id: z.string().min(1).max(64) });
const tags = ["commands"];

const entryState = z.object({
  type: z.enum(["file", "dir", "symlink", "fifo", "char", "block", "socket"]),
  mode: z.number().int(),
  uid: z.number().int(),
  gid: z.number().int(),
  size: z.number(),
  target: z.string().optional(),
});
export const effectEntrySchema = z.object({
  path: z.string(),
  kind: z.enum(["added", "removed", "modified", "metadata", "type"]),
  fields: z.array(z.enum(["content", "mode", "owner", "target", "device"])).optional(),
  before: entryState.optional(),
  after: entryState.optional(),
  original: z.boolean().optional(),
});
export type EffectEntryDto = z.infer<typeof effectEntrySchema>;

/** What can be asked for a run: the binds of xCAT's genimage, network access, the limit, auto-apply. */
export const runOptionsSchema = z.object({
  proc: z.boolean().default(false),
  sys: z.boolean().default(false),
  dev: z.boolean().default(false),
  network: z.boolean().default(false),
  timeoutMinutes: z
    .number()
    .min(0.05)
    .max(24 * 60)
    .default(10),
  autoApply: z.boolean().default(false),
});
export type RunOptions = z.infer<typeof runOptionsSchema>;

export const commandRunSchema = z.object({
  id: z.string(),
  image: z.string(),
  kind: z.enum(["command", "shell"]),
  line: z.string(),
  username: z.string(),
  jobId: z.string().nullable(),
  state: z.enum(["running", "exited", "timeout", "cancelled", "failed", "interrupted"]),
  exitCode: z.number().int().nullable(),
  startedAt: z.date(),
  finishedAt: z.date().nullable(),
  durationMs: z.number().int().nullable(),
  mode: z.enum(["overlay", "direct"]),
  options: runOptionsSchema.partial().nullable(),
  effectState: z.enum(["none", "pending", "applied", "discarded", "direct", "lost"]),
  effectSummary: z.string(),
  effectCount: z.number().int(),
  appliedAt: z.date().nullable(),
  appliedBy: z.string().nullable(),
  error: z.string().nullable(),
});
export type CommandRunDto = z.infer<typeof commandRunSchema>;

export const commandRunDetailSchema = commandRunSchema.extend({
  output: z
    .object({ chunks: z.array(z.object({ stream: z.enum(["stdout", "stderr", "info"]), text: z.string() })), cutBytes: z.number() })
    .nullable(),
  effect: z.array(effectEntrySchema),
});
export type CommandRunDetailDto = z.infer<typeof commandRunDetailSchema>;

const started = z.object({ runId: z.string(), jobId: z.string() });

export const runCommandRoute = defineRoute({
  method: "POST",
  path: "/api/images/{name}/commands",
  role: "editor",
  tags,
  status: 202,
  summary:
    "Run a command line in an isolated chroot of the unpacked image (job; output over Socket.IO job:<id>); its effect waits for apply or discard",
  params,
  body: runOptionsSchema.extend({ line: z.string().trim().min(1, "type a command line").max(8000) }),
  response: started,
});

export const listCommandsRoute = defineRoute({
  method: "GET",
  path: "/api/images/{name}/commands",
  role: "viewer",
  tags,
  summary: "Commands and shell sessions run in the image, newest first; whether overlays are usable; the caller's open shell",
  params,
  response: z.object({
    runs: z.array(commandRunSchema),
    overlay: z.object({ usable: z.boolean(), reason: z.string().nullable() }),
    openShell: commandRunSchema.nullable(),
  }),
});

export const getCommandRoute = defineRoute({
  method: "GET",
  path: "/api/images/{name}/commands/{id}",
  role: "viewer",
  tags,
  summary: "One command or shell session with its bounded output or transcript and its effect",
  params: runParams,
  response: commandRunDetailSchema,
});

export const applyCommandRoute = defineRoute({
  method: "POST",
  path: "/api/images/{name}/commands/{id}/apply",
  role: "editor",
  tags,
  summary: "Apply a run's effect to the tree (atomic per file; recorded as pending changes attributed to the command)",
  params: runParams,
  response: commandRunDetailSchema,
});

export const discardCommandRoute = defineRoute({
  method: "POST",
  path: "/api/images/{name}/commands/{id}/discard",
  role: "editor",
  tags,
  summary: "Discard a run's effect (the tree stays as it is)",
  params: runParams,
  response: commandRunDetailSchema,
});

export const openShellRoute = defineRoute({
  method: "POST",
  path: "/api/images/{name}/shells",
  role: "editor",
  tags,
  status: 202,
  summary:
    "Open an interactive shell in an isolated chroot of the image (Socket.IO room shell:<id>); at exit its effect waits for apply or discard",
  params,
  body: runOptionsSchema.omit({ timeoutMinutes: true, autoApply: true }).extend({
    idleMinutes: z
      .number()
      .min(1)
      .max(24 * 60)
      .default(30),
    cols: z.number().int().min(10).max(500).default(100),
    rows: z.number().int().min(5).max(200).default(30),
  }),
  response: started,
});
