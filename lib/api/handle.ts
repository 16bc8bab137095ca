import type { z } from "zod";
import { recordAudit } from "@/lib/audit/record-audit";
import { hasRole } from "@/lib/auth/roles";
import { getSessionUser, readSessionToken, type SessionUser } from "@/lib/auth/session";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { BODY_LIMITS, checkDeclaredLength, readCappedText } from "./body-limit";
import { checkOrigin } from "./check-origin";
import { isStateChanging, type RouteContract } from "./define-route";
import { toErrorResponse } from "./error-response";
import { isRegistered } from "./registry";

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export type HandlerInput<C extends RouteContract> = {
  /** the signed-in user (null only on public routes) */
  user: C["role"] extends "public" ? SessionUser | null : SessionUser;
  params: Out<C["params"]>;
  query: Out<C["query"]>;
  /** the parsed JSON body; for `body: "raw"` read `req.body` yourself */
  body: C["body"] extends z.ZodType ? z.output<C["body"]> : undefined;
  req: Request;
  /** the client's address as the server socket saw it */
  ip: string | undefined;
};

type HandlerResult<C extends RouteContract> = C["response"] extends z.ZodType ? z.input<C["response"]> | Response : unknown;

type NextContext = { params: Promise<Record<string, string | string[] | undefined>> };

/** Header set by server.ts from the TCP socket (any client-sent value is replaced there). */
export const PEER_HEADER = "x-rootimg-peer";

/**
 * The one wrapper for every `app/api/**\/route.ts` export. In order: same-origin check (state-changing
 * methods), session (401), role (403), zod parsing of params, query and body (422), the handler, the response
 * schema; any throw is mapped to a status by `toErrorResponse`. See lib/api/registry.ts for how to add a route.
 */
export function handle<const C extends RouteContract>(
  contract: C,
  fn: (input: HandlerInput<C>) => Promise<HandlerResult<C>> | HandlerResult<C>,
): (req: Request, ctx: NextContext) => Promise<Response> {
  if (!isRegistered(contract)) {
    throw new Error(`route contract ${contract.method} ${contract.path} is not listed in lib/api/registry.ts`);
  }
  return async (req, ctx) => {
    let user: SessionUser | null = null;
    try {
      const method = req.method === "HEAD" ? "GET" : req.method;
      if (method !== contract.method) throw new AppError("bad_request", `Use ${contract.method} for ${contract.path}.`);
      if (isStateChanging(req.method)) checkOrigin(req.headers);
      // Before the session lookup: an unauthenticated client must not make the server hold a big body.
      const maxBody = contract.maxBodyBytes ?? BODY_LIMITS.json;
      checkDeclaredLength(req.headers, maxBody);
      if (contract.body && contract.body !== "raw") checkJsonType(req.headers);
      user = await getSessionUser(readSessionToken(req.headers.get("cookie")));
      if (contract.role !== "public") {
        if (!user) throw new AppError("unauthenticated", "Not signed in or the session expired; sign in again.");
        if (!hasRole(user, contract.role)) {
          if (isStateChanging(req.method)) await auditDenied(user, contract);
          throw new AppError("forbidden", `This needs the ${contract.role} role; you are ${user.role}.`);
        }
      }
      const params = contract.params ? contract.params.parse(await ctx.params) : undefined;
      const query = contract.query ? contract.query.parse(searchParamsToObject(new URL(req.url).searchParams)) : undefined;
      const body = contract.body && contract.body !== "raw" ? contract.body.parse(await readJson(req, maxBody)) : undefined;
      const ip = req.headers.get(PEER_HEADER) ?? undefined;
      const input = { user, params, query, body, req, ip } as HandlerInput<C>;
      const result = await fn(input);
      if (result instanceof Response) return result;
      const out = contract.response && contract.response !== "raw" ? contract.response.parse(result) : result;
      if (contract.status === 204) return new Response(null, { status: 204 });
      return Response.json(out ?? null, { status: contract.status ?? 200 });
    } catch (e) {
      return toErrorResponse(e);
    }
  };
}

/**
 * JSON routes take only `application/json`: a cross-site form or a no-cors fetch can send text/plain or a form
 * encoding, never application/json, so this holds even where the origin checks are bypassed. A request
 * without a body needs no type.
 */
function checkJsonType(headers: Headers): void {
  const type = headers.get("content-type");
  const hasBody = (headers.get("content-length") ?? "0") !== "0" || headers.has("transfer-encoding");
  if (type === null && !hasBody) return;
  const mime = (type ?? "").split(";")[0].trim().toLowerCase();
  if (mime !== "application/json") {
    throw new AppError("unsupported_media_type", `Send the body as JSON with Content-Type: application/json (got ${type ?? "none"}).`);
  }
}

async function readJson(req: Request, max: number): Promise<unknown> {
  const text = await readCappedText(req, max);
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("bad_request", "The request body is not valid JSON.");
  }
}

/** Query string to a plain object; a repeated key becomes an array. */
export function searchParamsToObject(sp: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of sp) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

async function auditDenied(user: SessionUser, contract: RouteContract): Promise<void> {
  await prisma.$transaction((tx) =>
    recordAudit(tx, {
      user,
      action: "api.denied",
      target: `${contract.method} ${contract.path}`,
      outcome: "denied",
      detail: { role: user.role, needs: contract.role },
    }),
  );
}
