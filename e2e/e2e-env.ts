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
