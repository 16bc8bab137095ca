// For specs that need a server of their own (the fake xCAT backend, killing the server mid-job): starts
// `node --import tsx server.ts` with its own port, data directory and environment, and stops it.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";

export type OwnServer = { baseURL: string; proc: ChildProcess; output: () => string; stop: (signal?: NodeJS.Signals) => Promise<void> };

export async function startOwnServer(opts: {
  port: number;
  dataDir: string;
  adminPassword: string;
  env?: Record<string, string>;
}): Promise<OwnServer> {
  fs.mkdirSync(opts.dataDir, { recursive: true });
  let out = "";
  const proc = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(opts.port),
      ROOTIMG_DATA_DIR: opts.dataDir,
      ADMIN_PASSWORD: opts.adminPassword,
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: "",
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  proc.stdout?.on("data", (b) => (out += b));
  proc.stderr?.on("data", (b) => (out += b));
  const baseURL = `http://127.0.0.1:${opts.port}`;
  for (let i = 0; i < 240; i++) {
    if (proc.exitCode !== null) throw new Error(`server exited (${proc.exitCode}):\n${out}`);
    try {
      if ((await fetch(`${baseURL}/login`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  const stop = (signal: NodeJS.Signals = "SIGTERM") =>
    new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode) return resolve();
      proc.once("exit", () => resolve());
      proc.kill(signal);
    });
  return { baseURL, proc, output: () => out, stop };
}
