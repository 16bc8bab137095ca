import { z } from "zod";
import { IMAGE_NAME_RE, isValidImageName } from "@/lib/xcat/image-name";
import { BODY_LIMITS } from "../body-limit";
import { defineRoute } from "../define-route";

const imageName = z.string().regex(IMAGE_NAME_RE, "not a valid image name").refine(isValidImageName, "not a valid image name");
/** A path inside the image; the resolver in lib/image checks everything else (NUL, length, escapes). */
const imagePath = z.string().min(1).max(4096);
const params = z.object({ name: imageName });

const entryType = z.enum(["file", "dir", "symlink", "char", "block", "fifo", "socket"]);
export const fileEntrySchema = z.object({
  name: z.string(),
  path: z.string(),
  type: entryType,
  mode: z.number().int(),
  octal: z.string(),
  symbolic: z.string(),
  uid: z.number().int(),
  gid: z.number().int(),
  user: z.string().nullable(),
  group: z.string().nullable(),
  size: z.number(),
  mtime: z.number(),
  nlink: z.number().int(),
  target: z.string().optional(),
  dangling: z.boolean().optional(),
  targetType: entryType.optional(),
  /** changed since the image was unpacked (from the pristine manifest) */
  changed: z.boolean().optional(),
});
export type FileEntryDto = z.infer<typeof fileEntrySchema>;

const tag = ["files"];

export const listFilesRoute = defineRoute({
  method: "GET",
  path: "/api/images/{name}/files/list",
  role: "viewer",
  tags: tag,
  summary: "List one directory of the unpacked image (symlinks resolved inside the image); entry path = path + / + name",
  params,
  query: z.object({ path: imagePath.default("/") }),
  response: z.object({ path: z.string(), entries: z.array(fileEntrySchema.omit({ path: true })) }),
});

export const statFileRoute = defineRoute({
  method: "GET",
  path: "/api/images/{name}/files/stat",
  role: "viewer",
  tags: tag,
  summary: "Details of one entry (the final symlink itself, not its target)",
  params,
  query: z.object({ path: imagePath }),
  response: fileEntrySchema,
});

export const fileContentSchema = z.object({
  entry: fileEntrySchema,
  encoding: z.enum(["utf-8", "latin-1", "binary"]),
  lineEnding: z.enum(["lf", "crlf", "mixed", "none"]),
  finalNewline: z.boolean(),
  language: z.string(),
  etag: z.string(),
  tooLarge: z.boolean(),
  content: z.string().optional(),
  hex: z.string().optional(),
});
export type FileContentDto = z.infer<typeof fileContentSchema>;

export const readFileRoute = defineRoute({
  method: "GET",
  path: "/api/images/{name}/files/content",
  role: "viewer",
  tags: tag,
  summary: "Open a file for the editor: text with encoding and etag, or a hex preview (binary, over 5 MB)",
  params,
  query: z.object({ path: imagePath }),
  response: fileContentSchema,
});

export const saveFileRoute = defineRoute({
  method: "PUT",
  path: "/api/images/{name}/files/content",
  role: "editor",
  tags: tag,
  summary: "Save a file; the If-Match header (or etag) must match the current content, else 409",
  params,
  maxBodyBytes: BODY_LIMITS.fileContent,
  body: z.object({
    path: imagePath,
    content: z.string().max(6 * 1024 * 1024),
    encoding: z.enum(["utf-8", "latin-1"]),
    etag: z.string().max(100).optional(),
  }),
  response: z.object({ entry: fileEntrySchema, etag: z.string(), inPlace: z.boolean(), bytes: z.number() }),
});

const ownerValue = z.union([z.string().min(1).max(64), z.number().int().min(0)]);
export const changeAttributesRoute = defineRoute({
  method: "PATCH",
  path: "/api/images/{name}/files/attributes",
  role: "editor",
  tags: tag,
  summary: "chmod/chown inside the image (names from the image's /etc/passwd and /etc/group, or numbers)",
  params,
  body: z.object({
    path: imagePath,
    mode: z.union([z.string().regex(/^[0-7]{1,4}$/), z.number().int().min(0).max(0o7777)]).optional(),
    owner: ownerValue.optional(),
    group: ownerValue.optional(),
  }),
  response: fileEntrySchema,
});

// A name typed in the dashboard must not hold a control character (newline, tab, ...): it would print like
// another name. Existing such files stay readable, editable and uploadable; only creating and renaming refuse.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
const newEntryPath = imagePath.refine((p) => !CONTROL.test(p), {
  message: "the name contains a control character (newline, tab, ...): choose a name without one",
});

export const createEntryRoute = defineRoute({
  method: "POST",
  path: "/api/images/{name}/files/create",
  role: "editor",
  tags: tag,
  status: 201,
  summary: "Create an empty file, a directory or a symlink (owned like its directory)",
  params,
  body: z.object({
    path: newEntryPath,
    type: z.enum(["file", "dir", "symlink"]),
    target: z.string().max(4096).optional(),
    mode: z
      .string()
      .regex(/^[0-7]{1,4}$/)
      .optional(),
  }),
  response: fileEntrySchema,
});

export const renameEntryRoute = defineRoute({
  method: "POST",
  path: "/api/images/{name}/files/rename",
  role: "editor",
  tags: tag,
  summary: "Rename or move an entry (a symlink itself is moved, never followed)",
  params,
  body: z.object({ from: imagePath, to: newEntryPath }),
  response: fileEntrySchema,
});

export const deleteEntryRoute = defineRoute({
  method: "DELETE",
  path: "/api/images/{name}/files/entry",
  role: "editor",
  tags: tag,
  summary: "Delete a file, a symlink or a directory (recursively, never following links)",
  params,
  query: z.object({ path: imagePath }),
  response: z.object({ path: z.string(), removed: z.number(), type: z.string() }),
});

export const uploadFileRoute = defineRoute({
  method: "PUT",
  path: "/api/images/{name}/files/upload",
  role: "editor",
  tags: tag,
  status: 201,
  summary: "Upload a file (raw body, streamed); onConflict replace | rename | fail",
  params,
  body: "raw",
  rawContentType: "application/octet-stream",
  maxBodyBytes: BODY_LIMITS.fileUpload,
  query: z.object({
    dir: imagePath,
    filename: z.string().min(1).max(255),
    onConflict: z.enum(["replace", "rename", "fail"]).default("fail"),
  }),
  response: z.object({ entry: fileEntrySchema, replaced: z.boolean(), bytes: z.number() }),
});

export const downloadFileRoute = defineRoute({
  method: "GET",
  path: "/api/images/{name}/files/download",
  role: "viewer",
  tags: tag,
  summary: "Download a file, or a directory as a tar archive",
  params,
  query: z.object({ path: imagePath }),
  response: "raw",
  rawContentType: "application/octet-stream",
});

export const searchFilesRoute = defineRoute({
  method: "GET",
  path: "/api/images/{name}/files/search",
  role: "viewer",
  tags: tag,
  summary: "Search file names over the image (substring, or * and ? wildcards)",
  params,
  query: z.object({
    q: z.string().min(1).max(255),
    under: imagePath.default("/"),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  }),
  response: z.object({ hits: z.array(z.object({ path: z.string(), type: entryType })), truncated: z.boolean(), visited: z.number() }),
});

export const changedFilesRoute = defineRoute({
  method: "GET",
  path: "/api/images/{name}/files/changed",
  role: "viewer",
  tags: tag,
  summary: "Paths changed since the image was unpacked (the tree marks them)",
  params,
  response: z.object({ available: z.boolean(), paths: z.array(z.string()) }),
});

export const presenceSchema = z.object({
  users: z.array(z.object({ clientId: z.string(), username: z.string(), files: z.array(z.string()) })),
});
export const updatePresenceRoute = defineRoute({
  method: "POST",
  path: "/api/images/{name}/files/presence",
  role: "viewer",
  tags: tag,
  summary:
    "Tell the others in this image which files this browser tab has open (heartbeat; expires after 30 s, or as soon as the tab's Socket.IO connection `socketId` ends); `leave` removes the tab at once (page closed)",
  params,
  body: z.object({
    clientId: z.string().min(8).max(64),
    files: z.array(imagePath).max(50),
    socketId: z.string().min(1).max(64).optional(),
    leave: z.boolean().optional(),
  }),
  response: presenceSchema,
});
