/**
 * Parsers for the stdout of packimage, imgexport and imgimport (test/fake-xcat/xcat-transcripts.md, sections 11, 21–23).
 * They are tolerant of extra lines (verbose modes, cpio's `NNN blocks`) and keep them in `other`.
 */
import { splitLines } from "./parse-lsdef";

export type PackimageOutput = { rootimgDir?: string; method?: string; compress?: string; blocks?: number; other: string[] };

export function parsePackimageOutput(stdout: string): PackimageOutput {
  const out: PackimageOutput = { other: [] };
  for (const line of splitLines(stdout)) {
    let m: RegExpExecArray | null;
    if (line === "") continue;
    if ((m = /^Packing contents of (.+)$/.exec(line))) out.rootimgDir = m[1];
    else if ((m = /^archive method:(.*)$/.exec(line))) out.method = m[1];
    else if ((m = /^compress method:(.*)$/.exec(line))) out.compress = m[1];
    else if ((m = /^(\d+) blocks$/.exec(line))) out.blocks = Number(m[1]);
    else out.other.push(line);
  }
  return out;
}

export type ImgexportOutput = { image?: string; destDir?: string; files: string[]; workDir?: string; done: boolean; other: string[] };

export function parseImgexportOutput(stdout: string): ImgexportOutput {
  const out: ImgexportOutput = { files: [], done: false, other: [] };
  for (const line of splitLines(stdout)) {
    let m: RegExpExecArray | null;
    if (line === "") continue;
    if ((m = /^Exporting (.+?) to (.+)\.\.\.$/.exec(line))) {
      out.image = m[1];
      out.destDir = m[2];
    } else if ((m = /^Inside (.+)\.$/.exec(line))) out.workDir = m[1];
    else if (/^Compressing .+ bundle\. {2}Please be patient\.$/.test(line)) continue;
    else if (line === "Done!") out.done = true;
    else if (line.startsWith("/")) out.files.push(line);
    else out.other.push(line);
  }
  return out;
}

export type ImgimportOutput = { files: string[]; moved: { from: string; to: string }[]; image?: string; other: string[] };

export function parseImgimportOutput(stdout: string): ImgimportOutput {
  const out: ImgimportOutput = { files: [], moved: [], other: [] };
  for (const line of splitLines(stdout)) {
    let m: RegExpExecArray | null;
    if (line === "" || line === "Unbundling image...") continue;
    if ((m = /^ {2}Moving old (.+) to (.+)\.$/.exec(line))) out.moved.push({ from: m[1], to: m[2] });
    else if ((m = /^Successfully imported the image (.+)\.$/.exec(line))) out.image = m[1];
    else if (line.startsWith("/")) out.files.push(line);
    else out.other.push(line);
  }
  return out;
}
