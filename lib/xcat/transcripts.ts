/**
 * Reads test/fake-xcat/xcat-transcripts.md (real xCAT 2.19 output, verbatim) into
 * { id, command, exitCode, stdout, stderr } records, for the parser tests and the fake-vs-real test.
 */
import fs from "node:fs";
import path from "node:path";

export type Transcript = { id: string; command: string; exitCode: number; stdout: string; stderr: string };

export function loadTranscripts(file = path.join(process.cwd(), "test/fake-xcat/xcat-transcripts.md")): Map<string, Transcript> {
  const text = fs.readFileSync(file, "utf8");
  const out = new Map<string, Transcript>();
  for (const section of text.split(/^### /m).slice(1)) {
    const id = section.slice(0, section.indexOf("\n")).trim();
    const blocks = [...section.matchAll(/```\n([\s\S]*?)```/g)].map((m) => m[1]);
    const code = /exit code: (\d+)/.exec(section);
    if (blocks.length < 3 || !code) continue;
    out.set(id, { id, command: blocks[0].replace(/^# /, "").trim(), exitCode: Number(code[1]), stdout: blocks[1], stderr: blocks[2] });
  }
  return out;
}
