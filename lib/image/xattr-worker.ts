import { type ChildProcess, spawn } from "node:child_process";
import { AppError } from "@/lib/errors";

/**
 * One long-lived `sh` runs the attr tools (getfattr/setfattr) for this process. Spawning them from Node
 * for each save cost a fork of the whole server: libuv forks and waits for the exec on the event loop,
 * 3 ms at ~100 MB RSS and 15-60 ms at 400 MB, whether spawn or spawnSync. The small sh forks instead;
 * Node only writes a request line. The tools get the file as `/proc/<our pid>/fd/<n>`: the open file
 * itself, no path resolved again, so a symlink swapped in meanwhile cannot redirect them.
 * Requests: `get <file>` | `set <file> <n>` followed by n bytes of a getfattr dump.
 * Reply: `<status> <stdout bytes> <stderr bytes>` then those bytes. A fixed script; data only via read.
 */
const SCRIPT = `t=$(mktemp -p /dev/shm 2>/dev/null || mktemp) || exit 1
e=$(mktemp -p /dev/shm 2>/dev/null || mktemp) || exit 1
trap 'rm -f "$t" "$e"' EXIT
trap 'exit 1' HUP INT TERM
while read -r op f n; do
  case "$op" in
    get) getfattr -d -m - --absolute-names -e base64 -- "$f" >"$t" 2>"$e"; s=$? ;;
    set) dd bs=64K count="$n" iflag=count_bytes,fullblock status=none >"$t" || exit 1
      setfattr --restore="$t" >/dev/null 2>"$e"; s=$?; : >"$t" ;;
    *) exit 2 ;;
  esac
  echo "$s $(wc -c <"$t") $(wc -c <"$e")"
  cat "$t" "$e"
done`;

export type ToolResult = { status: number; stdout: Buffer; stderr: string };
type Request = { line: string; input?: Buffer; resolve: (r: ToolResult) => void; reject: (e: Error) => void };

class XattrWorker {
  private child: ChildProcess;
  private queue: Request[] = [];
  private current?: Request;
  private buf: Buffer = Buffer.alloc(0);
  private failed?: Error;
  constructor() {
    this.child = spawn("/bin/sh", ["-c", SCRIPT, "rootimg-xattr"], { stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdin!.on("error", () => {});
    let stderr = "";
    this.child.stderr!.on("data", (d) => (stderr = (stderr + d).slice(-2000)));
    this.child.stdout!.on("data", (d: Buffer) => this.onData(d));
    const fail = (why: string) => {
      this.failed = new AppError(
        "unavailable",
        `The extended-attribute helper (sh running getfattr/setfattr) stopped: ${why} ${stderr.trim()}; install the Debian package "attr".`,
      );
      for (const r of [this.current, ...this.queue]) r?.reject(this.failed);
      this.current = undefined;
      this.queue = [];
    };
    this.child.on("error", (e) => fail(e.message));
    this.child.on("close", (code) => fail(`exit ${code}`));
    // an idle helper does not keep a script or test process alive; a request in flight does (see next())
    this.child.unref();
    this.setBusy(false);
  }

  private setBusy(busy: boolean): void {
    for (const s of [this.child.stdout, this.child.stderr, this.child.stdin] as unknown as { ref?: () => void; unref?: () => void }[]) {
      if (busy) s?.ref?.();
      else s?.unref?.();
    }
  }

  get alive(): boolean {
    return !this.failed;
  }

  run(o: { op: "get" | "set"; fd: number; input?: Buffer }): Promise<ToolResult> {
    if (this.failed) return Promise.reject(this.failed);
    const file = `/proc/${process.pid}/fd/${o.fd}`;
    return new Promise((resolve, reject) => {
      this.queue.push({ line: `${o.op} ${file} ${o.input?.length ?? 0}\n`, input: o.input, resolve, reject });
      this.next();
    });
  }

  stop(): void {
    this.child.stdin!.end();
  }

  private next(): void {
    if (this.current) return;
    if (!this.queue.length) {
      this.setBusy(false);
      return;
    }
    this.setBusy(true);
    this.current = this.queue.shift()!;
    this.child.stdin!.write(this.current.line);
    if (this.current.input) this.child.stdin!.write(this.current.input);
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    const nl = this.buf.indexOf(10);
    if (nl < 0 || !this.current) return;
    const [status, outLen, errLen] = this.buf.subarray(0, nl).toString().trim().split(/\s+/).map(Number);
    if (this.buf.length < nl + 1 + outLen + errLen) return;
    const stdout = Buffer.from(this.buf.subarray(nl + 1, nl + 1 + outLen));
    const stderr = this.buf.subarray(nl + 1 + outLen, nl + 1 + outLen + errLen).toString();
    this.buf = this.buf.subarray(nl + 1 + outLen + errLen);
    const done = this.current;
    this.current = undefined;
    done.resolve({ status, stdout, stderr });
    this.next();
  }
}

// On globalThis: Next's route bundles and server.ts may load separate copies of this module; one helper is enough.
const g = globalThis as unknown as { rootimgXattrWorker?: XattrWorker };

/** Runs getfattr (`get`) or setfattr --restore (`set`, dump on stdin) on the file open on `fd`; the caller keeps fd open until it settles. */
export function runXattrTool(o: { op: "get" | "set"; fd: number; input?: Buffer }): Promise<ToolResult> {
  if (!g.rootimgXattrWorker?.alive) g.rootimgXattrWorker = new XattrWorker();
  return g.rootimgXattrWorker.run(o);
}

/** Ends the helper (tests that change PATH; shutdown). The next request starts a new one. */
export function stopXattrWorker(): void {
  g.rootimgXattrWorker?.stop();
  g.rootimgXattrWorker = undefined;
}
