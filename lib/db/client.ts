import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "@/lib/db/generated/client";
import { env } from "@/lib/env";

export type { Prisma } from "@/lib/db/generated/client";
/** A transaction client (what `prisma.$transaction(async (tx) => ...)` hands over). */
export type Tx = Omit<PrismaClient, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

// One client per process: Next's dev mode re-evaluates modules, and server.ts and the route handlers share
// one process, so the instance lives on globalThis.
const g = globalThis as unknown as { rootimgPrisma?: PrismaClient };

function createClient(url: string): PrismaClient {
  // WAL lets the page handlers read while a job writes; busy_timeout waits for a writer instead of failing
  // with SQLITE_BUSY. The adapter passes these options to better-sqlite3.
  const adapter = new PrismaBetterSqlite3({ url, timeout: 5000 });
  return new PrismaClient({ adapter });
}

export const prisma: PrismaClient = g.rootimgPrisma ?? createClient(process.env.DATABASE_URL ?? env().DATABASE_URL);
g.rootimgPrisma = prisma;

let pragmasDone: Promise<void> | undefined;
/** Switch the database to WAL once per process (persistent in the file, cheap to repeat). */
export function initDatabase(): Promise<void> {
  pragmasDone ??= (async () => {
    await prisma.$queryRawUnsafe("PRAGMA journal_mode = WAL");
    await prisma.$queryRawUnsafe("PRAGMA busy_timeout = 5000");
    await prisma.$queryRawUnsafe("PRAGMA foreign_keys = ON");
  })();
  return pragmasDone;
}
