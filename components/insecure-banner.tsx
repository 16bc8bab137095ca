import { env } from "@/lib/env";

/**
 * A warning on every page while the dashboard is served as plain HTTP on a non-loopback address
 * (ROOTIMG_INSECURE_HTTP=1): passwords and session cookies cross the network readable by anyone on the path.
 * Rendered on the server from the process's own configuration, so it cannot be missed or faked by a client.
 */
export function InsecureBanner() {
  if (!env().insecureRemote) return null;
  return (
    <div className="insecure-banner" role="alert" data-testid="insecure-banner">
      {`Warning: this dashboard is served over plain HTTP on ${env().HOST} (ROOTIMG_INSECURE_HTTP=1). ` +
        "Passwords and sessions cross the network unencrypted: use ROOTIMG_TLS=1 or an SSH tunnel instead."}
    </div>
  );
}
