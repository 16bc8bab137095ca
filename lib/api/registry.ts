/**
 * The registry of every HTTP route: `/api/openapi.json` is generated from it and the API access test
 * (e2e/api-access.spec.ts) walks it, so a route that is not listed here cannot exist (`handle()` refuses
 * an unlisted contract at load time) and a listed one cannot go unchecked.
 *
 * HOW TO ADD A ROUTE
 * 1. Declare the contract with zod in `lib/api/contracts/<area>.ts` (one file per area):
 *      export const unpackImageRoute = defineRoute({
 *        method: "POST", path: "/api/images/{name}/unpack", role: "editor", summary: "Unpack the image",
 *        params: z.object({ name: imageNameSchema }), body: z.object({...}), response: startedJobSchema,
 *        status: 202,
 *      });
 *    `path` uses {braces} for the `[segment]` folders of the route file. `role` is the weakest role allowed
 *    (viewer < editor < reviewer < admin). Raw bodies/responses (uploads, downloads): `body: "raw"`,
 *    `response: "raw"`, `rawContentType`; the handler reads `req.body` / returns a `Response` itself.
 * 2. If the area file is new, add ONE import line and ONE entry to `modules` below
 *    (shared file: edit it under `flock /tmp/shared-edit.lock`).
 * 3. Write `app/api/images/[name]/unpack/route.ts`:
 *      // POST /api/images/{name}/unpack – start unpacking
 *      export const POST = handle(unpackImageRoute, async ({ user, params, body }) => { ... });
 *    The wrapper does the session (401), role (403), same-origin (403) and zod (422) checks and maps errors.
 *    Return a plain object (parsed with `response`) or a `Response` (cookies, streams, custom status).
 * lib/api/registry.test.ts checks that every route file and every contract match one to one.
 */

import * as audit from "./contracts/audit";
import * as auth from "./contracts/auth";
import * as changes from "./contracts/changes";
import * as commands from "./contracts/commands";
import * as files from "./contracts/files";
import * as health from "./contracts/health";
import * as images from "./contracts/images";
import * as jobs from "./contracts/jobs";
import * as maintenance from "./contracts/maintenance";
import * as nodes from "./contracts/nodes";
import * as requests from "./contracts/requests";
import * as review from "./contracts/review";
import * as security from "./contracts/security";
import * as users from "./contracts/users";
import type { RouteContract } from "./define-route";

const modules: Record<string, unknown>[] = [
  auth,
  users,
  jobs,
  audit,
  maintenance,
  files,
  images,
  changes,
  security,
  nodes,
  commands,
  health,
  review,
  requests,
];

function isContract(v: unknown): v is RouteContract {
  const c = v as Partial<RouteContract> | null;
  return typeof c === "object" && c !== null && typeof c.method === "string" && typeof c.path === "string" && typeof c.role === "string";
}

/** Every route contract, in declaration order. */
export const routes: RouteContract[] = modules.flatMap((m) => Object.values(m).filter(isContract));

const registered = new Set<RouteContract>(routes);

export function isRegistered(contract: RouteContract): boolean {
  return registered.has(contract);
}
