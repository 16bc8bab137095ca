import { Fragment } from "react";

// Control characters (newline, tab, escape, DEL...) are legal in Linux file names but print as nothing or as
// a space, so two different names would look the same. They are shown as escapes in a distinct style.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL_ALL = /[\u0000-\u001f\u007f]/g;
const NAMED: Record<string, string> = { "\n": "\\n", "\t": "\\t", "\r": "\\r" };

function escapeOf(ch: string): string {
  return NAMED[ch] ?? `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`;
}

/** True when a name holds a control character (refused when a name is typed in the UI). */
export function hasControlChars(name: string): boolean {
  return CONTROL.test(name);
}

/** The name as text with each control character written as an escape (`\n`, `\t`, `\x1b`): for titles and dialogs. */
export function visibleName(name: string): string {
  return name.replace(CONTROL_ALL, escapeOf);
}

/** The name with each control character shown as a marked escape. */
export function VisibleName({ name }: { name: string }) {
  if (!hasControlChars(name)) return <>{name}</>;
  // each part keyed by where it starts in the name
  let at = 0;
  const parts = name
    .split(new RegExp(`(${CONTROL.source})`))
    .filter((p) => p !== "")
    .map((p) => {
      const part = { p, at, control: CONTROL.test(p) };
      at += p.length;
      return part;
    });
  return (
    <>
      {parts.map(({ p, at, control }) =>
        control ? (
          <span
            key={at}
            className="ctl-char"
            title={`control character U+${p.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`}
            data-testid="ctl-char"
          >
            {escapeOf(p)}
          </span>
        ) : (
          <Fragment key={at}>{p}</Fragment>
        ),
      )}
    </>
  );
}
