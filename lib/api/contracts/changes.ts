import { z } from "zod";
import { IMAGE_NAME_RE, isValidImageName } from "@/lib/xcat/image-name";
import { defineRoute } from "../define-route";

const pendingChangeSchema = z.object({
  path: z.string(),
  kind: z.enum(["added", "removed", "modified", "metadata", "type", "recorded"]),
  letter: z.enum(["A", "D", "M", "m", "T", "?"]),
  fields: z.array(z.string()).optional(),
  by: z.array(z.string()),
  lastAt: z.date().optional(),
  edits: z.number().int(),
  privileged: z.array(z.string()).optional(),
  commands: z.array(
    z.object({ id: z.string(), kind: z.string(), line: z.string(), by: z.string(), exitCode: z.number().int().nullable() }),
  ),
});

export const imagePendingChangesSchema = z.object({
  image: z.string(),
  state: z.string(),
  unpackedAt: z.date().optional(),
  unpackedBy: z.string().optional(),
  compared: z.boolean(),
  changes: z.array(pendingChangeSchema),
  error: z.string().optional(),
});
export type ImagePendingChangesDto = z.infer<typeof imagePendingChangesSchema>;

export const listPendingChangesRoute = defineRoute({
  method: "GET",
  path: "/api/changes",
  role: "viewer",
  summary:
    "Pending changes of every unpacked image: the tree compared with its pristine manifest, with who edited each path since the unpack",
  tags: ["changes"],
  query: z.object({
    image: z.string().regex(IMAGE_NAME_RE, "not a valid image name").refine(isValidImageName, "not a valid image name").optional(),
  }),
  response: z.object({ images: z.array(imagePendingChangesSchema) }),
});
