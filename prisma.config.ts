import { defineConfig } from "prisma/config";

// Prisma's native schema engine cannot be downloaded here: point the CLI at a stub so `prisma generate`
// does not try. Migrations run through scripts/db.mjs (the WebAssembly schema engine).
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= new URL("./scripts/no-schema-engine.sh", import.meta.url).pathname;

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "file:./data/rootimg-studio.db" },
});
