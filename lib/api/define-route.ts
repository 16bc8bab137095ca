import type { z } from "zod";
import type { Role } from "@/lib/auth/roles";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * A route contract: everything the wrapper checks and everything /api/openapi.json says about a route.
 * `path` uses OpenAPI braces (`/api/images/{name}`), matching the `[name]` folder of the route file.
 * `role: "public"` is for the login route only (and is listed in the API access test as such).
 */
export type RouteContract = {
  method: HttpMethod;
  path: string;
  role: Role | "public";
  summary: string;
  tags?: string[];
  params?: z.ZodType;
  query?: z.ZodType;
  /** a zod schema for a JSON body, or "raw" when the handler reads `req.body` itself (uploads) */
  body?: z.ZodType | "raw";
  /** a zod schema for the JSON response (the result is parsed with it: unknown fields are dropped), or "raw" */
  response?: z.ZodType | "raw";
  /** content type of a raw body or response, for the OpenAPI document */
  rawContentType?: string;
  /**
   * Largest request body accepted (413 past it): for a JSON body BODY_LIMITS.json unless set; for a raw body
   * the handler streams with this cap (lib/api/body-limit.ts).
   */
  maxBodyBytes?: number;
  /** success status (default 200) */
  status?: number;
};

export function defineRoute<const C extends RouteContract>(contract: C): C {
  return contract;
}

/** True for methods that change state: these must come from our own origin. */
export function isStateChanging(method: string): boolean {
  return method !== "GET" && method !== "HEAD" && method !== "OPTIONS";
}
