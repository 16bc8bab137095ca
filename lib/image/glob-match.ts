import { AppError } from "@/lib/errors";

/** Longest pattern and most `*` a name search accepts; past these it answers 400. */
export const GLOB_LIMITS = { maxLength: 128, maxStars: 16 } as const;

export type GlobMatcher = {
  /** true when the whole name matches (case-insensitive) */
  test(name: string): boolean;
  /** character comparisons made so far: the search stops past its budget */
  readonly steps: number;
};

/**
 * A `find -name`-style matcher for `*` (any run) and `?` (one character), case-insensitive, without
 * backtracking: the pattern is split at `*` into segments; the first is anchored at the start, the last at
 * the end, and each middle one is taken at its leftmost match (taking it later can only leave less room for
 * the rest, so leftmost is never wrong). One name costs at most len(name) × len(pattern) comparisons,
 * whatever the pattern, instead of the exponential cost of a backtracking RegExp (`*?*?*?…#`).
 * A pattern without wildcards matches as a substring, as the search box promises.
 */
export function compileGlob(pattern: string): GlobMatcher {
  if (pattern.length > GLOB_LIMITS.maxLength) {
    throw new AppError("bad_request", `Search patterns are limited to ${GLOB_LIMITS.maxLength} characters; shorten it.`);
  }
  if (/[/\0]/.test(pattern))
    throw new AppError("bad_request", "A file name search cannot contain '/' or NUL; search for a name, not a path.");
  let p = pattern.toLowerCase();
  if (!/[*?]/.test(p)) p = `*${p}*`;
  const segments = p.split(/\*+/);
  if (segments.length - 1 > GLOB_LIMITS.maxStars) {
    throw new AppError("bad_request", `Search patterns take at most ${GLOB_LIMITS.maxStars} '*'; use fewer wildcards.`);
  }
  let steps = 0;
  // Does `seg` match `name` at `at` (`?` matches any one character)?
  const matchAt = (name: string, seg: string, at: number): boolean => {
    for (let i = 0; i < seg.length; i++) {
      steps++;
      if (seg[i] !== "?" && seg[i] !== name[at + i]) return false;
    }
    return true;
  };
  const test = (raw: string): boolean => {
    const name = raw.toLowerCase();
    steps++;
    if (segments.length === 1) return name.length === segments[0].length && matchAt(name, segments[0], 0);
    const first = segments[0];
    const last = segments[segments.length - 1];
    if (name.length < first.length + last.length) return false;
    if (!matchAt(name, first, 0)) return false;
    const end = name.length - last.length; // the last segment owns name[end..]
    let pos = first.length;
    for (let s = 1; s < segments.length - 1; s++) {
      const seg = segments[s];
      let found = -1;
      for (let at = pos; at + seg.length <= end; at++) {
        if (matchAt(name, seg, at)) {
          found = at;
          break;
        }
      }
      if (found < 0) return false;
      pos = found + seg.length;
    }
    return matchAt(name, last, end);
  };
  return {
    test,
    get steps() {
      return steps;
    },
  };
}
