import { z } from "zod";
import { BODY_LIMITS } from "./body-limit";
import type { RouteContract } from "./define-route";
import { routes } from "./registry";

type Json = Record<string, unknown>;

// Dates leave the server as ISO strings (Response.json); say so instead of failing on z.date().
function schemaOf(s: z.ZodType, io: "input" | "output"): Json {
  const { $schema: _drop, ...json } = z.toJSONSchema(s, {
    io,
    unrepresentable: "any",
    override: (ctx) => {
      if (ctx.zodSchema._zod.def.type === "date") Object.assign(ctx.jsonSchema, { type: "string", format: "date-time" });
    },
  }) as Json;
  return json;
}

function parametersOf(c: RouteContract): Json[] {
  const out: Json[] = [];
  for (const [where, s] of [
    ["path", c.params],
    ["query", c.query],
  ] as const) {
    if (!s) continue;
    const json = schemaOf(s, "input") as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, schema] of Object.entries(json.properties ?? {})) {
      out.push({ name, in: where, required: where === "path" || (json.required ?? []).includes(name), schema });
    }
  }
  return out;
}

function operationOf(c: RouteContract): Json {
  const ok = String(c.status ?? 200);
  const errors = ["400", "401", "403", "404", "409", "422", "429", "500"];
  const responses: Json = {
    [ok]:
      c.status === 204
        ? { description: "done" }
        : c.response === "raw"
          ? { description: "raw content", content: { [c.rawContentType ?? "application/octet-stream"]: {} } }
          : { description: "ok", content: { "application/json": { schema: c.response ? schemaOf(c.response, "output") : {} } } },
  };
  for (const code of errors) responses[code] = { $ref: "#/components/responses/Error" };
  return {
    operationId: `${c.method.toLowerCase()}${c.path.replace(/[{}]/g, "").replace(/[/._-]+(\w)/g, (_, ch: string) => ch.toUpperCase())}`,
    summary: c.summary,
    tags: c.tags,
    "x-required-role": c.role,
    "x-max-body-bytes": c.maxBodyBytes ?? BODY_LIMITS.json,
    security: c.role === "public" ? [] : [{ session: [] }],
    parameters: parametersOf(c),
    ...(c.body === "raw"
      ? { requestBody: { required: true, content: { [c.rawContentType ?? "application/octet-stream"]: {} } } }
      : c.body
        ? { requestBody: { required: true, content: { "application/json": { schema: schemaOf(c.body, "input") } } } }
        : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of every registered route, built from the same zod schemas the handlers use. */
export function buildOpenApi(list: RouteContract[] = routes): Json {
  const paths: Record<string, Json> = {};
  for (const c of list) (paths[c.path] ??= {})[c.method.toLowerCase()] = operationOf(c);
  return {
    openapi: "3.1.0",
    info: {
      title: "Rootimg Studio API",
      version: "1",
      description:
        "Sign in with POST /api/auth/login, keep the `rootimg_session` cookie and send it with every call. " +
        "State-changing calls from a browser must come from the dashboard's own origin. Errors: " +
        "`{ error: { code, message, ... } }`. Long work returns a job id; follow it at /api/jobs/{id}.",
    },
    paths,
    components: {
      securitySchemes: { session: { type: "apiKey", in: "cookie", name: "rootimg_session" } },
      responses: {
        Error: {
          description: "error (see code and message)",
          content: {
            "application/json": {
              schema: {
                type: "object",
                required: ["error"],
                properties: {
                  error: {
                    type: "object",
                    required: ["code", "message"],
                    properties: { code: { type: "string" }, message: { type: "string" } },
                  },
                },
              },
            },
          },
        },
      },
    },
  };
}
