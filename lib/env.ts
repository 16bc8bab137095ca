import path from "node:path";
import { z } from "zod";

/**
 * Configuration from the environment, validated once. `loadEnv()` throws an Error whose message is one line
 * per bad setting; server.ts prints it without a stack trace and exits.
 */
const port = z.coerce.number().int().min(1).max(65535);

const envSchema = z
  .object({
    ROOTIMG_DATA_DIR: z.string().min(1).default("./data"),
    HOST: z.string().min(1).default("127.0.0.1"),
    PORT: port.default(3000),
    TLS_CERT: z.string().min(1).optional(),
    TLS_KEY: z.string().min(1).optional(),
    SESSION_TTL_HOURS: z.coerce.number().positive().max(24 * 365).default(12),
    ADMIN_PASSWORD: z.string().min(8, "must be at least 8 characters").optional(),
    NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  })
  .refine((e) => Boolean(e.TLS_CERT) === Boolean(e.TLS_KEY), {
    message: "set both TLS_CERT and TLS_KEY (HTTPS) or neither (HTTP)",
    path: ["TLS_CERT"],
  });

export type Env = z.infer<typeof envSchema> & {
  /** absolute data directory */
  dataDir: string;
  /** file: URL of the SQLite database inside the data directory */
  DATABASE_URL: string;
  https: boolean;
};

let cached: Env | undefined;

export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const r = envSchema.safeParse(stripEmpty(source));
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${i.path.join(".") || "environment"}: ${i.message}`);
    throw new Error(`invalid configuration: ${lines.join("; ")}`);
  }
  const dataDir = path.resolve(r.data.ROOTIMG_DATA_DIR);
  return {
    ...r.data,
    dataDir,
    DATABASE_URL: `file:${path.join(dataDir, "rootimg-studio.db")}`,
    https: Boolean(r.data.TLS_CERT && r.data.TLS_KEY),
  };
}

/** The validated configuration of this process (parsed on first use). */
export function env(): Env {
  cached ??= loadEnv();
  return cached;
}

// An empty variable (`PORT=`) means "not set", not "invalid".
function stripEmpty(source: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(source)) if (v !== undefined && v !== "") out[k] = v;
  return out;
}
