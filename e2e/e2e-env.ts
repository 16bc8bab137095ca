// Shared by playwright.config.ts and the specs: where the test server listens and what it was started with.
import os from "node:os";
import path from "node:path";

/** E2E_PORT lets parallel runs (several helpers, CI) use different ports. */
export const E2E_PORT = Number(process.env.E2E_PORT ?? 3100);
export const E2E_BASE_URL = `http://127.0.0.1:${E2E_PORT}`;
/** A fresh data directory per run (emptied by playwright.config.ts before the server starts). */
export const E2E_DATA_DIR = process.env.E2E_DATA_DIR ?? path.join(os.tmpdir(), `rootimg-e2e-${E2E_PORT}`);
/** The initial admin's password (ADMIN_PASSWORD of the test server). */
export const E2E_ADMIN_PASSWORD = "e2e-admin-password";

/**
 * The port of each spec that starts a server of its own. One port per server: the two workers run any two specs
 * at once, and two servers on one port make one spec talk to the other's server.
 */
export const OWN_PORT = {
  xcatImages: E2E_PORT + 41,
  killDuringReplace: E2E_PORT + 42,
  jobProgress: E2E_PORT + 43,
  imagesRestart: E2E_PORT + 44,
  crashWrites: E2E_PORT + 45,
  serviceUnit: E2E_PORT + 60,
  serviceInsecure: E2E_PORT + 61,
  serviceTls: E2E_PORT + 62,
  release: E2E_PORT + 63,
  commandsNoOverlay: E2E_PORT + 64,
  commandsRestart: E2E_PORT + 65,
  deployLocal: E2E_PORT + 66,
  deployXcat: E2E_PORT + 67,
} as const;
