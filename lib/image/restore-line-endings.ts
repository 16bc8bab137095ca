import { detectLineEnding } from "./detect-encoding";

type Line = { text: string; eol: string };

function lines(t: string): Line[] {
  const parts = t.split(/(\r\n|\n)/);
  const out: Line[] = [];
  for (let i = 0; i < parts.length; i += 2) out.push({ text: parts[i], eol: parts[i + 1] ?? "" });
  return out;
}

/**
 * The editor shows a file with mixed line endings (some CRLF, some LF) with one kind only, so its text
 * comes back normalized. This puts the original ending back on every line outside the edited region:
 * lines equal at the start and at the end keep their own terminator; edited and new lines get the
 * editor's. Files with one kind of ending are returned unchanged.
 */
export function restoreLineEndings(original: string, edited: string): string {
  if (detectLineEnding(original) !== "mixed") return edited;
  const a = lines(original);
  const b = lines(edited);
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre].text === b[pre].text) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf].text === b[b.length - 1 - suf].text) suf++;
  let out = "";
  for (let i = 0; i < b.length; i++) {
    const fromEnd = b.length - 1 - i;
    // keep the original terminator where the line is unchanged, but never add or drop a final newline
    const orig = i < pre ? a[i] : fromEnd < suf ? a[a.length - 1 - fromEnd] : undefined;
    const eol = orig && b[i].eol !== "" && orig.eol !== "" ? orig.eol : b[i].eol;
    out += b[i].text + eol;
  }
  return out;
}
