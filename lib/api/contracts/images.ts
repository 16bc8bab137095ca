import { z } from "zod";
import { IMAGE_NAME_RE, isValidImageName } from "@/lib/xcat/image-name";
import { BODY_LIMITS } from "../body-limit";
import { defineRoute } from "../define-route";

const imageName = z.string().regex(IMAGE_NAME_RE, "not a valid image name").refine(isValidImageName, "not a valid image name");
const params = z.object({ name: imageName });
const tags = ["images"];

const summary = z.object({
  imagename: z.string(),
  osvers: z.string(),
  osarch: z.string(),
  profile: z.string(),
  provmethod: z.string(),
  rootimgdir: z.string(),
  archive: z.object({ name: z.string(), format: z.string(), size: z.number(), mtime: z.string() }).nullable(),
  workspace: z.enum(["packed", "unpacking", "unpacked", "packing", "missing"]),
  treeExists: z.boolean(),
  pendingChanges: z.number().int(),
  lock: z.object({ holder: z.string() }).nullable(),
  /** the image gate's exclusive holder (lib/images/image-gate.ts): "packing, started by alice 12 s ago"; "waiting" while writes in progress finish */
  busy: z
    .object({
      kind: z.string(),
      user: z.string(),
      jobId: z.string().nullable(),
      since: z.string(),
      state: z.enum(["waiting", "held"]),
      /** a command's line */
      detail: z.string().optional(),
    })
    .nullable(),
  /** file changes in progress now */
  writers: z.number().int(),
  lastJob: z.object({ id: z.string(), type: z.string(), state: z.string(), at: z.string() }).nullable(),
});
export type ImageSummaryDto = z.infer<typeof summary>;

const version = z.object({
  seq: z.number().int(),
  format: z.string(),
  size: z.number(),
  sha256: z.string().nullable(),
  stampUuid: z.string().nullable(),
  packedBy: z.string(),
  packedAt: z.string(),
  live: z.boolean(),
  note: z.string().nullable(),
  jobId: z.string().nullable(),
  /** the change request this version was packed from */
  changeId: z.string().nullable().optional(),
});
export type ImageVersionDto = z.infer<typeof version>;

export const imageDetailSchema = summary.extend({
  backend: z.enum(["xcat", "local"]),
  attrs: z.record(z.string(), z.string()),
  files: z.array(z.object({ name: z.string(), type: z.string(), size: z.number(), mode: z.string(), mtime: z.string() })),
  versions: z.array(version),
});
export type ImageDetailDto = z.infer<typeof imageDetailSchema>;

const started = z.object({ jobId: z.string().optional(), workspace: z.string().optional() });

export const listImagesRoute = defineRoute({
  method: "GET",
  path: "/api/images",
  role: "viewer",
  tags,
  summary: "List osimages with archive, workspace, lock and last job",
  response: z.object({ backend: z.enum(["xcat", "local"]), images: z.array(summary) }),
});

export const getImageRoute = defineRoute({
  method: "GET",
  path: "/api/images/{name}",
  role: "viewer",
  tags,
  summary: "One osimage: attributes, files in rootimgdir, versions",
  params,
  response: imageDetailSchema,
});

export const packAdditionsRoute = defineRoute({
  method: "GET",
  path: "/api/images/{name}/pack/additions",
  role: "viewer",
  tags,
  summary: "What the next own pack adds to the archive and not to the tree (packimage's changes from xCAT's tables, the boot stamp unit)",
  params,
  response: z.object({
    /** one line per change, what lies below an added or replaced directory counted on its line (as in the pack's log) */
    lines: z.array(z.string()),
    changes: z.array(z.object({ path: z.string(), change: z.enum(["added", "replaced", "removed"]), reason: z.string() })),
    /** the pack's notes and warnings about these steps (no timezone, a synclist section left to packimage) */
    notes: z.array(z.string()),
  }),
});

export const unpackImageRoute = defineRoute({
  method: "POST",
  path: "/api/images/{name}/unpack",
  role: "editor",
  tags,
  status: 202,
  summary: "Unpack the published archive into rootimgdir/rootimg (job); or adopt / replace an existing tree",
  params,
  body: z.object({ mode: z.enum(["unpack", "use-existing", "replace"]).default("unpack"), confirmReplace: z.boolean().optional() }),
  response: started,
});

export const packImageRoute = defineRoute({
  method: "POST",
  path: "/api/images/{name}/pack",
  role: "editor",
  tags,
  status: 202,
  summary: "Pack the workspace and publish atomically (job); method xcat runs packimage",
  params,
  body: z.object({
    method: z.enum(["own", "xcat"]).default("own"),
    full: z.boolean().optional(),
    request: z.number().int().min(1).optional(),
  }),
  response: started,
});

export const rollbackImageRoute = defineRoute({
  method: "POST",
  path: "/api/images/{name}/rollback",
  role: "editor",
  tags,
  summary: "Republish an earlier version atomically",
  params,
  body: z.object({ seq: z.number().int().min(1) }),
  response: version,
});

export const importImageRoute = defineRoute({
  method: "POST",
  path: "/api/images/import",
  role: "admin",
  tags,
  status: 202,
  summary: "Import an image bundle (.tgz with manifest.xml) from a path on the server (job)",
  body: z.object({
    path: z.string().min(1).max(4096),
    profile: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/)
      .optional(),
  }),
  response: started,
});

export const uploadImageRoute = defineRoute({
  method: "PUT",
  path: "/api/images/upload",
  role: "admin",
  tags,
  status: 202,
  summary: "Import an image bundle uploaded as the raw request body (job)",
  query: z.object({
    profile: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/)
      .optional(),
  }),
  body: "raw",
  rawContentType: "application/gzip",
  maxBodyBytes: BODY_LIMITS.bundle,
  response: started,
});

export const exportImageRoute = defineRoute({
  method: "POST",
  path: "/api/images/{name}/export",
  role: "admin",
  tags,
  status: 202,
  summary: "Export the image as a bundle into the data directory's exports/ (job)",
  params,
  response: started,
});

export const downloadExportRoute = defineRoute({
  method: "GET",
  path: "/api/images/{name}/export",
  role: "admin",
  tags,
  summary: "Download the last exported bundle",
  params,
  response: "raw",
  rawContentType: "application/gzip",
});

export const deleteImageRoute = defineRoute({
  method: "DELETE",
  path: "/api/images/{name}",
  role: "admin",
  tags,
  summary: "Delete an image of the local registry with its directory (not offered for xCAT images)",
  params,
  query: z.object({ confirm: z.literal("yes") }),
  response: z.object({ deleted: z.string() }),
});

export const getRetentionRoute = defineRoute({
  method: "GET",
  path: "/api/image-settings",
  role: "viewer",
  tags,
  summary: "How many archive versions are kept per image",
  response: z.object({ retention: z.number().int() }),
});

export const setRetentionRoute = defineRoute({
  method: "PUT",
  path: "/api/image-settings",
  role: "admin",
  tags,
  summary: "Set how many archive versions are kept per image",
  body: z.object({ retention: z.number().int().min(1).max(100) }),
  response: z.object({ retention: z.number().int() }),
});
