import { z } from "zod";
import { REQUEST_ACTIONS, REQUEST_STATES } from "@/lib/requests/state-machine";
import { IMAGE_NAME_RE, isValidImageName } from "@/lib/xcat/image-name";
import { defineRoute } from "../define-route";

const imageName = z.string().regex(IMAGE_NAME_RE, "not a valid image name").refine(isValidImageName, "not a valid image name");
const tags = ["requests"];
const idParams = z.object({ id: z.coerce.number().int().min(1) });
const imagePath = z.string().min(1).max(4096).startsWith("/");
const state = z.enum(REQUEST_STATES);

const side = z.object({
  type: z.enum(["file", "dir", "symlink", "char", "block", "fifo", "socket"]),
  mode: z.number().int(),
  uid: z.number().int(),
  gid: z.number().int(),
  size: z.number(),
  sha256: z.string().optional(),
  linkTarget: z.string().optional(),
  owner: z.string().optional(),
  group: z.string().optional(),
});
const item = z.object({
  path: z.string(),
  kind: z.string(),
  letter: z.string(),
  fields: z.array(z.string()),
  before: side.nullable(),
  after: side.nullable(),
  text: z.boolean(),
  source: z
    .object({
      by: z.array(z.string()),
      edits: z.number().int(),
      commands: z.array(
        z.object({ id: z.string(), kind: z.string(), line: z.string(), by: z.string(), exitCode: z.number().int().nullable() }),
      ),
    })
    .nullable(),
  changedSince: z.boolean().optional(),
});
export type RequestItemDto = z.infer<typeof item>;

const summary = z.object({
  id: z.number().int(),
  image: z.string(),
  title: z.string(),
  description: z.string(),
  state,
  authorId: z.string().nullable(),
  authorName: z.string(),
  revision: z.number().int(),
  baseSeq: z.number().int().nullable(),
  packedSeq: z.number().int().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
  submittedAt: z.date().nullable(),
});
const listed = summary.extend({ files: z.number().int() });
export type RequestSummaryDto = z.infer<typeof listed>;

const comment = z.object({
  id: z.number().int(),
  revision: z.number().int(),
  path: z.string().nullable(),
  line: z.number().int().nullable(),
  body: z.string(),
  authorName: z.string(),
  authorId: z.string().nullable(),
  createdAt: z.date(),
});
export type RequestCommentDto = z.infer<typeof comment>;
const event = z.object({
  id: z.number().int(),
  at: z.date(),
  username: z.string(),
  action: z.string(),
  fromState: z.string().nullable(),
  toState: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
});

export const requestDetailSchema = summary.extend({
  staleness: z.object({ stale: z.boolean(), reason: z.string().optional() }),
  /** what the signed-in user may do now */
  actions: z.array(z.enum(REQUEST_ACTIONS)),
  items: z.array(item),
  revisions: z.array(z.object({ revision: z.number().int(), items: z.array(item) })),
  comments: z.array(comment),
  events: z.array(event),
  versions: z.array(z.object({ seq: z.number().int(), live: z.boolean(), packedAt: z.date() })),
});
export type RequestDetailDto = z.infer<typeof requestDetailSchema>;

export const listRequestsRoute = defineRoute({
  method: "GET",
  path: "/api/requests",
  role: "viewer",
  tags,
  summary: "Change requests, newest first (of one image, in one state)",
  query: z.object({ image: imageName.optional(), state: state.optional() }),
  response: z.object({ requests: z.array(listed) }),
});

export const createRequestRoute = defineRoute({
  method: "POST",
  path: "/api/requests",
  role: "editor",
  tags,
  status: 201,
  summary: "Bundle pending changes of an unpacked image into a change request (the diff is captured now); submitted unless draft",
  body: z.object({
    image: imageName,
    title: z.string().trim().min(1).max(200),
    description: z.string().max(20_000).default(""),
    paths: z.array(imagePath).max(10_000).optional(),
    draft: z.boolean().optional(),
  }),
  response: z.object({ id: z.number().int(), state }),
});

export const getRequestRoute = defineRoute({
  method: "GET",
  path: "/api/requests/{id}",
  role: "viewer",
  tags,
  summary: "One change request: captured items per revision, staleness, comments, timeline, what you may do",
  params: idParams,
  response: requestDetailSchema,
});

export const updateRequestRoute = defineRoute({
  method: "PUT",
  path: "/api/requests/{id}",
  role: "editor",
  tags,
  summary: "The author recaptures the request as a new revision (the same paths, or the ones given); a reviewed request is submitted again",
  params: idParams,
  body: z.object({
    paths: z.array(imagePath).max(10_000).optional(),
    title: z.string().trim().min(1).max(200).optional(),
    description: z.string().max(20_000).optional(),
  }),
  response: z.object({ id: z.number().int(), state, revision: z.number().int() }),
});

export const transitionRequestRoute = defineRoute({
  method: "POST",
  path: "/api/requests/{id}/transition",
  role: "editor",
  tags,
  summary: "Submit, approve, request changes or abandon (reviewers approve, never their own request), with an optional comment",
  params: idParams,
  body: z.object({ action: z.enum(["submit", "approve", "request_changes", "abandon"]), comment: z.string().max(20_000).optional() }),
  response: z.object({ id: z.number().int(), state }),
});

export const commentRequestRoute = defineRoute({
  method: "POST",
  path: "/api/requests/{id}/comments",
  role: "editor",
  tags,
  status: 201,
  summary: "Comment on the request, on one of its files, or on a line of a file's text diff (line of the revision's after side)",
  params: idParams,
  body: z.object({
    body: z.string().trim().min(1).max(20_000),
    path: imagePath.optional(),
    line: z.number().int().min(1).optional(),
    revision: z.number().int().min(1).optional(),
  }),
  response: comment,
});

export const requestContentRoute = defineRoute({
  method: "GET",
  path: "/api/requests/{id}/content",
  role: "viewer",
  tags,
  summary: "Both sides of a text change as captured in a revision",
  params: idParams,
  query: z.object({ path: imagePath, revision: z.coerce.number().int().min(1) }),
  response: z.object({ path: z.string(), revision: z.number().int(), before: z.string(), after: z.string() }),
});

export const requestInboxRoute = defineRoute({
  method: "GET",
  path: "/api/requests/inbox",
  role: "viewer",
  tags,
  summary: "Change requests waiting for you: to review, or your own sent back or ready to pack",
  response: z.object({ review: z.array(z.number().int()), own: z.array(z.number().int()) }),
});

const policy = z.object({
  image: z.string(),
  packRequiresApproval: z.boolean(),
  deployRequiresApproval: z.boolean(),
  updatedBy: z.string().nullable(),
  updatedAt: z.date().nullable(),
});
export type ReviewPolicyDto = z.infer<typeof policy>;

export const getReviewPolicyRoute = defineRoute({
  method: "GET",
  path: "/api/images/{name}/review-policy",
  role: "viewer",
  tags,
  summary: "What needs an approved change request on this image (pack; deploy beyond test hosts)",
  params: z.object({ name: imageName }),
  response: policy,
});

export const setReviewPolicyRoute = defineRoute({
  method: "PUT",
  path: "/api/images/{name}/review-policy",
  role: "admin",
  tags,
  summary: "Set what needs an approved change request on this image (audited)",
  params: z.object({ name: imageName }),
  body: z.object({ packRequiresApproval: z.boolean(), deployRequiresApproval: z.boolean() }),
  response: policy,
});

const historyEntry = z.object({
  key: z.string(),
  kind: z.enum(["version", "request", "command", "deploy"]),
  at: z.date(),
  user: z.string(),
  title: z.string(),
  /** version seq, request id, command run id, deploy job id */
  ref: z.string(),
  detail: z.string().optional(),
  state: z.string().optional(),
});
export type HistoryEntryDto = z.infer<typeof historyEntry>;

export const imageHistoryRoute = defineRoute({
  method: "GET",
  path: "/api/images/{name}/history",
  role: "viewer",
  tags,
  summary: "One timeline of an image: versions, change request steps, commands run, deploys (filter by kind and user)",
  params: z.object({ name: imageName }),
  query: z.object({ kind: z.enum(["version", "request", "command", "deploy"]).optional(), user: z.string().max(100).optional() }),
  response: z.object({
    entries: z.array(historyEntry),
    users: z.array(z.string()),
    versions: z.array(z.object({ seq: z.number().int(), live: z.boolean(), packedAt: z.date(), changeId: z.string().nullable() })),
  }),
});
