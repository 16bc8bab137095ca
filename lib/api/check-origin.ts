import { AppError } from "@/lib/errors";

/**
 * Refuses state-changing requests from another origin (CSRF defence on top of SameSite=Strict).
 * Browsers send Origin on every cross-origin POST/PUT/PATCH/DELETE and Sec-Fetch-Site on every request; either
 * one pointing elsewhere is refused. A request with neither comes from a script (curl), not a browser page,
 * and carries no ambient cookie the attacker could ride on, so it passes.
 */
export function checkOrigin(headers: Headers): void {
  const site = headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") {
    throw new AppError("forbidden", `Cross-site request refused (Sec-Fetch-Site: ${site}).`);
  }
  const origin = headers.get("origin");
  if (origin === null) return;
  // Host as the browser sent it; no X-Forwarded-Host: the server is not meant to sit behind a proxy.
  const host = headers.get("host");
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new AppError("forbidden", "Request refused: malformed Origin header.");
  }
  if (!host || originHost.toLowerCase() !== host.toLowerCase()) {
    throw new AppError("forbidden", `Request from another origin (${origin}) refused.`);
  }
}
