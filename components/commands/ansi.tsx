import type { CSSProperties, ReactNode } from "react";

const BASIC = ["#1e1e1e", "#ff6b6b", "#69db7c", "#ffd43b", "#74c0fc", "#e599f7", "#66d9e8", "#dee2e6"];
const BRIGHT = ["#868e96", "#ff8787", "#8ce99a", "#ffe066", "#a5d8ff", "#eebefa", "#99e9f2", "#ffffff"];

function color256(n: number): string {
  if (n < 8) return BASIC[n];
  if (n < 16) return BRIGHT[n - 8];
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v},${v},${v})`;
  }
  const i = n - 16;
  const c = (x: number) => (x === 0 ? 0 : 55 + x * 40);
  return `rgb(${c(Math.floor(i / 36))},${c(Math.floor(i / 6) % 6)},${c(i % 6)})`;
}

type Style = { fg?: string; bg?: string; bold?: boolean; dim?: boolean; italic?: boolean; underline?: boolean; inverse?: boolean };

function applySgr(style: Style, params: number[]): Style {
  const s = { ...style };
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    if (p === 0) {
      for (const k of Object.keys(s)) delete s[k as keyof Style];
    } else if (p === 1) s.bold = true;
    else if (p === 2) s.dim = true;
    else if (p === 3) s.italic = true;
    else if (p === 4) s.underline = true;
    else if (p === 7) s.inverse = true;
    else if (p === 22) s.bold = s.dim = false;
    else if (p === 23) s.italic = false;
    else if (p === 24) s.underline = false;
    else if (p === 27) s.inverse = false;
    else if (p >= 30 && p <= 37) s.fg = BASIC[p - 30];
    else if (p === 39) delete s.fg;
    else if (p >= 40 && p <= 47) s.bg = BASIC[p - 40];
    else if (p === 49) delete s.bg;
    else if (p >= 90 && p <= 97) s.fg = BRIGHT[p - 90];
    else if (p >= 100 && p <= 107) s.bg = BRIGHT[p - 100];
    else if ((p === 38 || p === 48) && params[i + 1] === 5) {
      s[p === 38 ? "fg" : "bg"] = color256(params[i + 2] ?? 0);
      i += 2;
    } else if ((p === 38 || p === 48) && params[i + 1] === 2) {
      s[p === 38 ? "fg" : "bg"] = `rgb(${params[i + 2] ?? 0},${params[i + 3] ?? 0},${params[i + 4] ?? 0})`;
      i += 4;
    }
  }
  return s;
}

function css(s: Style): CSSProperties | undefined {
  const fg = s.inverse ? (s.bg ?? "#10141c") : s.fg;
  const bg = s.inverse ? (s.fg ?? "#d7dde8") : s.bg;
  const out: CSSProperties = {};
  if (fg) out.color = fg;
  if (bg) out.background = bg;
  if (s.bold) out.fontWeight = 700;
  if (s.dim) out.opacity = 0.7;
  if (s.italic) out.fontStyle = "italic";
  if (s.underline) out.textDecoration = "underline";
  return Object.keys(out).length ? out : undefined;
}

// CSI sequences (colours and everything else), OSC titles, and lone escapes
// biome-ignore lint/suspicious/noControlCharactersInRegex: it matches terminal escape sequences
const ESCAPES = /\x1b\[([0-9;:?]*)([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

/**
 * One line of command output with its ANSI SGR colours rendered as styled spans (16, 256 and true colours,
 * bold, underline, inverse); other escape sequences (cursor moves, titles) are dropped, not shown as garbage.
 * `carry` is the style at the start of the line (colours may span lines); the style at its end is returned.
 */
export function renderAnsi(text: string, carry: Style = {}): { nodes: ReactNode[]; style: Style } {
  const nodes: ReactNode[] = [];
  let style = carry;
  let last = 0;
  let m: RegExpExecArray | null;
  const push = (t: string) => {
    if (t)
      nodes.push(
        css(style) ? (
          <span key={nodes.length} style={css(style)}>
            {t}
          </span>
        ) : (
          t
        ),
      );
  };
  ESCAPES.lastIndex = 0;
  while ((m = ESCAPES.exec(text))) {
    push(text.slice(last, m.index));
    last = ESCAPES.lastIndex;
    if (m[2] === "m")
      style = applySgr(
        style,
        (m[1] || "0").split(/[;:]/).map((x) => Number(x) || 0),
      );
  }
  push(text.slice(last));
  return { nodes, style };
}

export type { Style as AnsiStyle };
