import { spawn } from "node:child_process";

/** Runs a program with an argv array (never a shell string), resolving with its exit code, stdout and stderr. */
export function run(cmd: string, args: string[], opts: { input?: Buffer } = {}): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: [opts.input ? "pipe" : "ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let err = "";
    child.stdout!.on("data", (d: Buffer) => out.push(d));
    child.stderr!.on("data", (d) => {
      if (err.length < 65536) err += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: err }));
    if (opts.input) child.stdin!.end(opts.input);
  });
}
