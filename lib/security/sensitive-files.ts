import fs from "node:fs";
import { hasRole } from "@/lib/auth/roles";
import type { SessionUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { joinImagePath } from "@/lib/image/describe-entry";
import type { SecuritySettings } from "./security-settings";

/** `*` matches within one path component; everything else literally. Patterns are short (the settings bound them). */
function pathGlob(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\?]/g, "\\$&").replace(/\*/g, "[^/]*")}$`);
}

export type SensitiveCheck = (imagePath: string, st: { mode: number; uid: number; isFile(): boolean }) => boolean;

/**
 * Whether a file's content is sensitive under the settings: a listed path, or (sensitiveRootPrivate) a
 * regular file owned by root that neither group nor others may read (0600, 0400: private keys, credentials).
 */
export function sensitiveCheck(settings: SecuritySettings): SensitiveCheck {
  const globs = settings.sensitivePaths.map(pathGlob);
  return (p, st) => {
    if (globs.some((g) => g.test(p))) return true;
    return settings.sensitiveRootPrivate && st.isFile() && st.uid === 0 && (st.mode & 0o077) === 0;
  };
}

/** Viewers see that a sensitive file exists and its metadata, never its content; editors and above read it. */
export function mayReadSensitive(user: SessionUser): boolean {
  return hasRole(user, "editor");
}

export function sensitiveRefusal(imagePath: string): AppError {
  return new AppError("forbidden", `${imagePath} is a sensitive file (security settings); its content needs the editor role.`, {
    details: { reason: "sensitive" },
  });
}

/**
 * Image paths of the sensitive files under `dirAt` (an fd path of a directory at image path `dirPath`), for
 * leaving them out of a directory download. Walks without following links, on the same bounds as a search.
 */
export function sensitiveUnder(dirAt: string, dirPath: string, check: SensitiveCheck, maxVisited = 500_000): string[] {
  const out: string[] = [];
  let visited = 0;
  const walk = (at: string, p: string, depth: number) => {
    let names: fs.Dirent[];
    try {
      names = fs.readdirSync(at, { withFileTypes: true });
    } catch {
      return;
    }
    for (const ent of names) {
      if (++visited > maxVisited)
        throw new AppError(
          "unprocessable",
          `${dirPath} holds too many entries to check for sensitive files; download a smaller directory.`,
        );
      const childAt = `${at}/${ent.name}`;
      const childPath = joinImagePath(p, ent.name);
      if (ent.isDirectory() && depth < 128) walk(childAt, childPath, depth + 1);
      else if (ent.isFile()) {
        const st = fs.lstatSync(childAt, { throwIfNoEntry: false });
        if (st && check(childPath, st)) out.push(childPath);
      }
    }
  };
  walk(dirAt, dirPath, 0);
  return out;
}
