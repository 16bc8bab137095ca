import type { OutputStream } from "@/lib/chroot/run-in-chroot";

const MAX_LINE = 4000;
const IDLE_FLUSH_MS = 150;

/**
 * Output chunks → lines per stream for the job log. A partial line (a prompt, a progress dot) is passed on
 * after a short pause rather than held until its newline, so the browser sees it while the command waits.
 */
export class LineSplitter {
  private partial: Record<OutputStream, string> = { stdout: "", stderr: "" };
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly emit: (stream: OutputStream, line: string) => void) {}

  push(stream: OutputStream, text: string): void {
    const parts = (this.partial[stream] + text).split("\n");
    this.partial[stream] = parts.pop() ?? "";
    for (const p of parts) this.emit(stream, p.replace(/\r$/, ""));
    while (this.partial[stream].length > MAX_LINE) {
      this.emit(stream, this.partial[stream].slice(0, MAX_LINE));
      this.partial[stream] = this.partial[stream].slice(MAX_LINE);
    }
    clearTimeout(this.timer);
    if (this.partial.stdout || this.partial.stderr) this.timer = setTimeout(() => this.flush(), IDLE_FLUSH_MS);
  }

  flush(): void {
    clearTimeout(this.timer);
    for (const s of ["stdout", "stderr"] as const) {
      if (this.partial[s]) this.emit(s, this.partial[s]);
      this.partial[s] = "";
    }
  }
}
