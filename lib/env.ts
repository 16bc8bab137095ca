import path from "node:path";
import { z } from "zod";

/**
 * Configuration from the environment, validated once. `loadEnv()` throws an Error whose message is one line
 * per bad setting; server.ts prints it without a stack trace and exits.
 */
const port = z.coerce.number().int().min(1).max(65535);
const flag = z
  .enum(["0", "1", "true", "false", "yes", "no"], { message: "use 1 or 0" })
  .optional()
  .transform((v) => v === "1" || v === "true" || v === "yes");

const envSchema = z
  .object({
    ROOTIMG_DATA_DIR: z.string().min(1).default("./data"),
    HOST: z.string().min(1).default("127.0.0.1"),
    PORT: port.default(3000),
    TLS_CERT: z.string().min(1).optional(),
    TLS_KEY: z.string().min(1).optional(),
    ROOTIMG_TLS: flag,
    ROOTIMG_INSECURE_HTTP: flag,
    SESSION_TTL_HOURS: z.coerce
      .number()
      .positive()
      .max(24 * 365)
      .default(12),
    ADMIN_PASSWORD: z.string().min(8, "must be at least 8 characters").optional(),
    NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  })
  .refine((e) => Boolean(e.TLS_CERT) === Boolean(e.TLS_KEY), {
    message: "set both TLS_CERT and TLS_KEY (the site's certificate) or neither (ROOTIMG_TLS=1 generates a self-signed one)",
    path: ["TLS_CERT"],
  })
  // The dashboard carries passwords and runs commands as root: over a network it is served with TLS, or
  // plain HTTP only when the admin says so explicitly (the UI then shows a warning on every page).
  .refine((e) => isLoopback(e.HOST) || e.ROOTIMG_TLS || Boolean(e.TLS_CERT) || e.ROOTIMG_INSECURE_HTTP, {
    message:
      "listening on a non-loopback address needs TLS: set ROOTIMG_TLS=1 (self-signed certificate) or TLS_CERT and TLS_KEY; " +
      "use an SSH tunnel to 127.0.0.1 instead, or set ROOTIMG_INSECURE_HTTP=1 to serve plain HTTP anyway",
    path: ["HOST"],
  });

export type Env = z.infer<typeof envSchema> & {
  /** absolute data directory */
  dataDir: string;
  /** where the data directory came from: the environment or the built-in default */
  dataDirSource: "ROOTIMG_DATA_DIR" | "default";
  /** certificate and key files when serving HTTPS (the site's, or self-signed ones under the data directory) */
  tls?: { cert: string; key: string; selfSigned: boolean };
  /** plain HTTP on a non-loopback address (ROOTIMG_INSECURE_HTTP=1): shown as a warning in the UI */
  insecureRemote: boolean;
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
  const tls =
    r.data.TLS_CERT && r.data.TLS_KEY
      ? { cert: path.resolve(r.data.TLS_CERT), key: path.resolve(r.data.TLS_KEY), selfSigned: false }
      : r.data.ROOTIMG_TLS
        ? { cert: path.join(dataDir, "tls", "cert.pem"), key: path.join(dataDir, "tls", "key.pem"), selfSigned: true }
        : undefined;
  return {
    ...r.data,
    dataDir,
    dataDirSource: stripEmpty(source).ROOTIMG_DATA_DIR ? "ROOTIMG_DATA_DIR" : "default",
    DATABASE_URL: `file:${path.join(dataDir, "rootimg-studio.db")}`,
    https: Boolean(tls),
    tls,
    insecureRemote: !tls && !isLoopback(r.data.HOST),
  };
}

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1 and the name localhost. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\./.test(h);
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
