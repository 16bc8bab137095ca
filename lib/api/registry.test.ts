import "@/lib/db/test-database";
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildOpenApi } from "./openapi";
import { routes } from "./registry";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");

/** Every app/api/** /route.ts as an OpenAPI path (`[name]` → `{name}`). */
function routeFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name));
      else if (e.name === "route.ts") out.push(path.join(dir, e.name));
    }
  };
  walk(path.join(root, "app/api"));
  return out;
}

const toApiPath = (file: string) =>
  `/${path
    .relative(path.join(root, "app"), path.dirname(file))
    .split(path.sep)
    .map((s) => s.replace(/^\[(.+)\]$/, "{$1}"))
    .join("/")}`;

describe("route registry", () => {
  it("matches the route files one to one (method and path)", async () => {
    const fromFiles = new Set<string>();
    for (const file of routeFiles()) {
      const mod = (await import(file)) as Record<string, unknown>;
      for (const m of ["GET", "POST", "PUT", "PATCH", "DELETE"]) if (typeof mod[m] === "function") fromFiles.add(`${m} ${toApiPath(file)}`);
    }
    const fromRegistry = new Set(routes.map((r) => `${r.method} ${r.path}`));
    expect([...fromFiles].sort()).toEqual([...fromRegistry].sort());
  });

  it("has no duplicate method+path and only login and health are public", () => {
    const keys = routes.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(routes.filter((r) => r.role === "public").map((r) => r.path)).toEqual(["/api/auth/login", "/api/health"]);
  });

  it("documents every route in the OpenAPI document with its role and schemas", () => {
    const doc = buildOpenApi() as { paths: Record<string, Record<string, Record<string, unknown>>> };
    for (const r of routes) {
      const op = doc.paths[r.path]?.[r.method.toLowerCase()];
      expect(op, `${r.method} ${r.path}`).toBeDefined();
      expect(op["x-required-role"]).toBe(r.role);
      for (const name of r.path.match(/\{(\w+)\}/g) ?? []) {
        expect((op.parameters as { name: string; in: string }[]).some((p) => p.in === "path" && `{${p.name}}` === name)).toBe(true);
      }
      if (r.body && r.body !== "raw") expect(op.requestBody).toBeDefined();
    }
    const create = doc.paths["/api/users"].post as { requestBody: { content: Record<string, { schema: { required: string[] } }> } };
    expect(create.requestBody.content["application/json"].schema.required.sort()).toEqual(["password", "role", "username"]);
  });
});
