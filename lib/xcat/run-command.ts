/**
 * Runs one program with an argument array (never a shell), captures stdout/stderr and the exit code,
 * streams complete lines as they arrive, and kills the child when the AbortSignal fires.
 */
import { spawn } from "node:child_process";

export type RunCommandOptions = {
  cmd: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
};

export type CommandResult = { cmd: string; args: string[]; code: number; stdout: string; stderr: string; aborted: boolean };

export function runCommand(opts: RunCommandOptions): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(abortError(opts.cmd));
    const child = spawn(opts.cmd, opts.args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    const tails = { stdout: "", stderr: "" };
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      child.kill("SIGTERM");
      // A child that ignores SIGTERM must not outlive the job.
      setTimeout(() => child.exitCode === null && child.kill("SIGKILL"), 3000).unref();
    };
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    const collect = (stream: "stdout" | "stderr") => (buf: Buffer) => {
      chunks[stream].push(buf);
      if (!opts.onLine) return;
      const text = tails[stream] + buf.toString("utf8");
      const parts = text.split("\n");
      tails[stream] = parts.pop() ?? "";
      for (const p of parts) opts.onLine(p, stream);
    };
    child.stdout.on("data", collect("stdout"));
    child.stderr.on("data", collect("stderr"));
    child.on("error", (err) => {
      opts.signal?.removeEventListener("abort", onAbort);
      reject(err);
    });
    child.on("close", (code, sig) => {
      opts.signal?.removeEventListener("abort", onAbort);
      for (const s of ["stdout", "stderr"] as const) if (opts.onLine && tails[s]) opts.onLine(tails[s], s);
      if (aborted) return reject(abortError(opts.cmd));
      resolve({
        cmd: opts.cmd,
        args: opts.args,
        code: code ?? (sig ? 128 : 1),
        stdout: Buffer.concat(chunks.stdout).toString("utf8"),
        stderr: Buffer.concat(chunks.stderr).toString("utf8"),
        aborted,
      });
    });
  });
}

function abortError(cmd: string): Error {
  const e = new Error(`${cmd} was cancelled`);
  e.name = "AbortError";
  return e;
}
