// Rootimg Studio: one process serving Next.js and Socket.IO on the same port.
// Run: node --import tsx server.ts (after `next build`; NODE_ENV=development for the dev server).
import { spawnSync } from "node:child_process";
import { randomBytes, X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { createServer as createNetServer } from "node:net";
import path from "node:path";
import { type Env, loadEnv } from "./lib/env";

function fail(message: string): never {
  console.error(`error: ${message}`);
  process.exit(1);
}

let config: Env;
try {
  config = loadEnv();
} catch (e) {
  fail((e as Error).message);
}
// Everything below (Prisma, scripts/db.mjs) reads the database location from here.
process.env.DATABASE_URL = config.DATABASE_URL;
const root = path.dirname(new URL(import.meta.url).pathname);

const { secureDataDir, secureDatabaseFiles } = await import("./lib/maintenance/secure-data-dir");
try {
  secureDataDir(config.dataDir, (line) => console.log(line));
  // An existing database and its backups; a new one is tightened after the migration creates it (inside
  // the 0700 directory meanwhile).
  secureDatabaseFiles(config.dataDir, (line) => console.log(line));
} catch (e) {
  fail(`cannot create or protect the data directory ${config.dataDir} (ROOTIMG_DATA_DIR): ${(e as Error).message}`);
}
console.log(
  `data directory: ${config.dataDir} (${config.dataDirSource === "default" ? "default ./data; set ROOTIMG_DATA_DIR to move it" : "from ROOTIMG_DATA_DIR"})`,
);

// Probe the port before touching the database: a second instance should say "port in use", not fail on
// the database lock the first one holds.
await new Promise<void>((resolve) => {
  const probe = createNetServer();
  probe.once("error", (e: NodeJS.ErrnoException) => fail(listenError(e)));
  probe.listen(config.PORT, config.HOST, () => probe.close(() => resolve()));
});

function listenError(e: NodeJS.ErrnoException): string {
  if (e.code === "EADDRINUSE") return `port ${config.PORT} on ${config.HOST} is already in use; stop the other program or set PORT`;
  if (e.code === "EACCES") return `no permission to listen on ${config.HOST}:${config.PORT}; choose a port above 1023 or run as root`;
  if (e.code === "EADDRNOTAVAIL") return `HOST=${config.HOST} is not an address of this machine`;
  return `cannot listen on ${config.HOST}:${config.PORT}: ${e.message}`;
}

// Migrations through the WebAssembly schema engine (the native one cannot be downloaded), as a child
// process so the wasm engine's memory is gone before the server starts.
const migrate = spawnSync(process.execPath, [path.join(root, "scripts/db.mjs"), "deploy", "--quiet"], {
  cwd: root,
  env: process.env,
  stdio: ["ignore", "inherit", "pipe"],
  encoding: "utf8",
});
if (migrate.status !== 0) {
  // The engine locks the file exclusively; a timeout means another process (another instance?) holds it.
  const busy = /SocketTimeout|database is locked|SQLITE_BUSY/.test(migrate.stderr);
  fail(
    busy
      ? `the database ${config.DATABASE_URL.slice(5)} is in use by another process (another Rootimg Studio on the same ROOTIMG_DATA_DIR?)`
      : `database migration failed for ${config.DATABASE_URL}:\n${migrate.stderr
          .trim()
          .split("\n")
          .filter((l) => !/^\s+at /.test(l))
          .slice(-6)
          .join("\n")}`,
  );
}

// The schema engine creates a new database with the process umask: tightened before the first connection.
secureDatabaseFiles(config.dataDir, (line) => console.log(line));

const { initDatabase } = await import("./lib/db/client");
const { interruptStaleJobs } = await import("./lib/jobs/interrupt-stale-jobs");
const { ensureAdmin } = await import("./lib/auth/ensure-admin");
const { attachSocketServer, SOCKET_HEARTBEAT } = await import("./lib/realtime/attach-socket-server");
const { rooms } = await import("./lib/realtime/rooms");
const { PEER_HEADER } = await import("./lib/api/handle");

await initDatabase();
// Commands and shells first: their sandboxes are killed before their jobs are marked interrupted.
const staleRuns = await (await import("./lib/commands/recover-runs-at-start")).recoverRunsAtStart((line) => console.log(line));
if (staleRuns) console.log(`ended ${staleRuns} command(s) or shell(s) left running by the previous run`);
const interrupted = await interruptStaleJobs();
if (interrupted) console.log(`marked ${interrupted} job(s) from the previous run as interrupted`);
const admin = await ensureAdmin({ password: config.ADMIN_PASSWORD, dataDir: config.dataDir });
const { purgeExpiredSessions } = await import("./lib/auth/session");
await purgeExpiredSessions();
setInterval(() => void purgeExpiredSessions().catch((e) => console.error("session purge failed", e)), 3600_000).unref();
// Images: sweep temp files a killed pack left, reset stuck workspace states, create the demo image once (local backend).
await (await import("./lib/images/prepare-images-at-start")).prepareImagesAtStart((line) => console.log(line));
// Unpacked trees reachable by other local users (xCAT's, under /install) are mounted nosuid,nodev while served.
const { protectTreeAndSay, releaseAllTrees } = await import("./lib/images/tree-mount");
// ...and step out of the way while a hand-run genimage/packimage/rmimage holds xCAT's lock on one.
const { guardIfProtected, unguardAllTrees } = await import("./lib/images/guard-tree");
for (const image of await (await import("./lib/xcat/select-backend"))
  .getBackend()
  .listImages()
  .catch(() => [])) {
  const tree = path.join(image.rootimgdir, "rootimg");
  if (existsSync(tree)) guardIfProtected(await protectTreeAndSay(tree, (line) => console.log(line)), { image: image.imagename });
}
// Test hosts: kill a QEMU a killed server left, create the demo test host once (local backend).
await (await import("./lib/nodes/prepare-test-hosts-at-start")).prepareTestHostsAtStart((line) => console.log(line));

const dev = config.NODE_ENV === "development";
const { default: next } = await import("next");
const app = next({ dev, dir: root, hostname: config.HOST, port: config.PORT });
try {
  await app.prepare();
} catch (e) {
  const msg = (e as Error).message;
  fail(/production build/i.test(msg) ? `no production build found: run \`npx next build\` first (${msg})` : msg);
}
const nextHandler = app.getRequestHandler();

/**
 * The Content-Security-Policy of every response: scripts only from this origin or inline with this
 * response's nonce (Next.js reads the nonce from the request's CSP header and puts it on the inline scripts
 * it renders; every page is rendered per request); styles inline too (Monaco sets element styles); workers
 * (Monaco's) and fonts from this origin; no plugins, no framing, forms and <base> only to this origin.
 */
function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "worker-src 'self' blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

// One line per request in the log (journald under systemd): method, path, status, duration, client.
// Hashed static assets are left out: they are many per page and say nothing an admin would look for.
function logRequest(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? "";
  if (url.startsWith("/_next/static/")) return;
  const started = process.hrtime.bigint();
  // Read now: a connection closed before the request ended (a body refused with 413) has no socket any more.
  const client = req.socket.remoteAddress ?? "-";
  res.once("close", () => {
    const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
    const status = res.writableFinished ? res.statusCode : `${res.statusCode} aborted`;
    console.log(`http ${req.method} ${url.split("?")[0]} ${status} ${ms}ms ${client}`);
  });
}

function onRequest(req: IncomingMessage, res: ServerResponse): void {
  // The client address for login throttling, from the socket: a client-sent header of that name is replaced.
  req.headers[PEER_HEADER] = req.socket.remoteAddress ?? "";
  logRequest(req, res);
  const csp = contentSecurityPolicy(randomBytes(16).toString("base64"));
  // Replaces whatever the client sent: Next.js takes the nonce for its inline scripts from this header.
  req.headers["content-security-policy"] = csp;
  res.setHeader("Content-Security-Policy", csp);
  // Under TLS the browser is told to use nothing else for this host for a year.
  if (config.https) res.setHeader("Strict-Transport-Security", "max-age=31536000");
  // The dashboard is never framed (clickjacking; X-Frame-Options for browsers without frame-ancestors),
  // content types are never sniffed, and no URL of an image path leaks to another site.
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "same-origin");
  void nextHandler(req, res);
}

let server: ReturnType<typeof createHttpServer> | ReturnType<typeof createHttpsServer>;
let tlsNote = "";
if (config.tls) {
  const files = config.tls;
  if (files.selfSigned) {
    const { ensureSelfSignedCert } = await import("./lib/tls/self-signed-cert");
    try {
      const info = ensureSelfSignedCert({ cert: files.cert, key: files.key, hosts: [config.HOST] });
      tlsNote = `${info.created ? "created a self-signed" : "self-signed"} certificate ${files.cert} (${info.subjectAltName}; valid to ${info.validTo}); SHA-256 fingerprint ${info.fingerprint256} — compare it with the one the browser shows`;
    } catch (e) {
      fail((e as Error).message);
    }
  }
  let tls: { cert: Buffer; key: Buffer };
  try {
    tls = { cert: readFileSync(files.cert), key: readFileSync(files.key) };
  } catch (e) {
    fail(`cannot read the TLS certificate or key (TLS_CERT/TLS_KEY): ${(e as Error).message}`);
  }
  if (!files.selfSigned) tlsNote = `certificate ${files.cert}; SHA-256 fingerprint ${new X509Certificate(tls.cert).fingerprint256}`;
  server = createHttpsServer(tls, onRequest);
} else {
  server = createHttpServer(onRequest);
}

// Browsers and API clients reuse idle connections. Node closes them after 5 s, and a request sent on a connection
// at the moment the server closes it fails with ECONNRESET; 65 s outlives the usual gaps between an admin's clicks.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

const { Server } = await import("socket.io");
const io = new Server(server, { serveClient: false, ...SOCKET_HEARTBEAT });
attachSocketServer(io, rooms);

server.on("error", (e: NodeJS.ErrnoException) => fail(listenError(e)));

server.listen(config.PORT, config.HOST, () => {
  const host = config.HOST.includes(":") ? `[${config.HOST}]` : config.HOST;
  console.log(
    `Rootimg Studio ready on ${config.https ? "https" : "http"}://${host}:${config.PORT} (data: ${config.dataDir}${dev ? ", dev" : ""})`,
  );
  if (tlsNote) console.log(`TLS: ${tlsNote}`);
  if (config.insecureRemote)
    console.warn(
      `warning: serving plain HTTP on ${config.HOST} (ROOTIMG_INSECURE_HTTP=1): passwords and sessions cross the network unencrypted`,
    );
  if (admin.created && admin.passwordFile) {
    console.log(
      `created user "admin"; its password is in ${admin.passwordFile} (readable by root only; removed when you change the password under "My password")`,
    );
  } else if (admin.created) {
    console.log('created user "admin" with the password from ADMIN_PASSWORD');
  }
});

const { stopAllJobs } = await import("./lib/jobs/stop-all-jobs");
const { stopAllTestHosts } = await import("./lib/nodes/test-host-runner");
let stopping = false;
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    if (stopping) process.exit(1); // a second signal: stop now
    stopping = true;
    stopAllTestHosts(); // a test host's QEMU never outlives the server
    io.close();
    server.close();
    // Running jobs get a few seconds to remove their temporary files and record `interrupted`; whatever is
    // still running after that is marked at the next start (interruptStaleJobs).
    void stopAllJobs(5000)
      .then(() => unguardAllTrees())
      .then(() => releaseAllTrees())
      .finally(() => process.exit(0));
  });
}
