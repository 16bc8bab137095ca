import { z } from "zod";
import { IMAGE_NAME_RE, isValidImageName } from "@/lib/xcat/image-name";
import { defineRoute } from "../define-route";

const imageName = z.string().regex(IMAGE_NAME_RE, "not a valid image name").refine(isValidImageName, "not a valid image name");
const params = z.object({ name: imageName });
/** A path inside the image; the resolver in lib/image checks everything else (NUL, length, escapes). */
const imagePath = z.string().min(1).max(4096);
const tags = ["review"];

const entryType = z.enum(["file", "dir", "symlink", "char", "block", "fifo", "socket"]);
const sideMeta = z.object({
  type: entryType,
  mode: z.number().int(),
  octal: z.string(),
  symbolic: z.string(),
  uid: z.number().int(),
  gid: z.number().int(),
  owner: z.string().nullable(),
  group: z.string().nullable(),
  size: z.number(),
  mtime: z.number(),
  sha256: z.string().optional(),
  linkTarget: z.string().optional(),
  rdev: z.string().optional(),
  xattrs: z.record(z.string(), z.string()).optional(),
});
const binarySide = z.object({ size: z.number(), sha256: z.string().optional(), file: z.string().optional() });
const source = z.union([
  z.object({ how: z.enum(["editor", "upload", "create", "rename", "delete", "attributes", "revert"]), by: z.string(), at: z.string() }),
  z.object({
    how: z.enum(["command", "shell"]),
    by: z.string(),
    at: z.string(),
    line: z.string(),
    commandId: z.string(),
    exitCode: z.number().int().nullable(),
  }),
  z.object({ how: z.literal("outside"), note: z.string() }),
]);
const content = z.union([
  z.object({ kind: z.literal("text"), language: z.string(), before: z.string().nullable(), after: z.string().nullable() }),
  z.object({
    kind: z.literal("binary"),
    reason: z.enum(["binary", "too-large"]),
    before: binarySide.nullable(),
    after: binarySide.nullable(),
  }),
  z.object({ kind: z.literal("none") }),
  z.object({ kind: z.literal("hidden"), reason: z.string() }),
]);
export const changeDiffSchema = z.object({
  image: z.string(),
  path: z.string(),
  kind: z.enum(["content", "added", "removed", "metadata", "type", "unchanged"]),
  fields: z.array(z.enum(["content", "type", "mode", "owner", "group", "target", "rdev", "xattrs"])),
  before: sideMeta.nullable(),
  after: sideMeta.nullable(),
  content,
  sources: z.array(source),
  lastAt: z.string().optional(),
  warning: z.string().optional(),
});
export type ChangeDiffDto = z.infer<typeof changeDiffSchema>;

export const changeDiffRoute = defineRoute({
  method: "GET",
  path: "/api/images/{name}/changes/diff",
  role: "viewer",
  tags,
  summary:
    "The diff of one pending change: kind, who and how, metadata before/after (owner names from the image), text both sides or binary sizes/hashes",
  params,
  query: z.object({ path: imagePath }),
  response: changeDiffSchema,
});

const revertResult = z.object({ path: z.string(), action: z.enum(["removed", "restored", "metadata", "unchanged"]) });
export const revertChangeRoute = defineRoute({
  method: "POST",
  path: "/api/images/{name}/changes/revert",
  role: "editor",
  tags,
  summary: "Put one changed path back exactly as in the pristine image (content, mode, owner, xattrs); an added path is removed",
  params,
  body: z.object({ path: imagePath }),
  response: revertResult,
});

export const revertAllChangesRoute = defineRoute({
  method: "POST",
  path: "/api/images/{name}/changes/revert-all",
  role: "editor",
  tags,
  summary: "Revert every pending change of the image",
  params,
  body: z.object({ confirm: z.literal(true) }),
  response: z.object({ reverted: z.array(revertResult) }),
});

const versionRef = z.object({ seq: z.number().int(), packedAt: z.string(), packedBy: z.string(), live: z.boolean() });
const compareMeta = z.object({
  type: entryType,
  mode: z.number().int(),
  uid: z.number().int(),
  gid: z.number().int(),
  size: z.number(),
  sha256: z.string().optional(),
  linkTarget: z.string().optional(),
});
export const versionCompareSchema = z.object({
  image: z.string(),
  from: versionRef,
  to: versionRef,
  changes: z.array(
    z.object({
      path: z.string(),
      kind: z.enum(["added", "removed", "content", "metadata", "type"]),
      fields: z.array(z.string()),
      before: compareMeta.nullable(),
      after: compareMeta.nullable(),
    }),
  ),
  /** gzip members of each archive, and how many were identical in both and not read */
  members: z.object({ from: z.number().int(), to: z.number().int(), skipped: z.number().int() }),
  bytesInflated: z.number(),
});
export type VersionCompareDto = z.infer<typeof versionCompareSchema>;
const seqs = z.object({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) });

export const compareVersionsRoute = defineRoute({
  method: "GET",
  path: "/api/images/{name}/versions/compare",
  role: "viewer",
  tags,
  summary:
    "Compare two kept versions of the image by reading both archives (members identical in both are skipped): the changed paths with kinds",
  params,
  query: seqs,
  response: versionCompareSchema,
});

export const compareVersionFileRoute = defineRoute({
  method: "GET",
  path: "/api/images/{name}/versions/compare/file",
  role: "viewer",
  tags,
  summary: "One path in two kept versions: text both sides, or sizes and hashes",
  params,
  query: seqs.extend({ path: imagePath }),
  response: z.object({ path: z.string(), content }),
});
