import { AppError } from "@/lib/errors";

/**
 * Refuses state-changing requests from another origin (CSRF defence on top of SameSite=Strict).
 * Browsers send Origin on every cross-origin POST/PUT/PATCH/DELETE and Sec-Fetch-Site on every request; either
 * one pointing elsewhere is refused. Where Origin is missing (older browsers, privacy extensions that strip it)
 * a Referer from another host is refused as well. A request with none of the three comes from a script (curl),
 * not a browser page, and carries no ambient cookie the attacker could ride on, so it passes.
 */
export function checkOrigin(headers: Headers): void {
  const site = headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") {
    throw new AppError("forbidden", `Cross-site request refused (Sec-Fetch-Site: ${site}).`);
  }
  // Host as the browser sent it; no X-Forwarded-Host: the server is not meant to sit behind a proxy.
  const host = headers.get("host");
  const origin = headers.get("origin");
  if (origin !== null) {
    if (hostOf(origin, "Origin") !== host?.toLowerCase())
      throw new AppError("forbidden", `Request from another origin (${origin}) refused.`);
    return;
  }
  const referer = headers.get("referer");
  if (referer !== null && referer !== "" && hostOf(referer, "Referer") !== host?.toLowerCase()) {
    throw new AppError("forbidden", `Request from another site refused (Referer ${new URL(referer).origin}, no Origin).`);
  }
}

function hostOf(url: string, header: string): string {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    throw new AppError("forbidden", `Request refused: malformed ${header} header.`);
  }
}
