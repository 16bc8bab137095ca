"use client";
import { useCallback, useMemo, useRef, useState } from "react";
import { type FileEntryDto, type FilesApi, joinPath, parentOf } from "../files/files-api";

export type TreeRow = { entry: FileEntryDto; depth: number; expanded: boolean; loading: boolean };

/** Is this entry shown as a directory (a directory, or a link to one)? */
export const isDirLike = (e: FileEntryDto) => e.type === "dir" || (e.type === "symlink" && e.targetType === "dir");

/**
 * State of the lazily loaded tree: directory listings by path, expanded directories, and the flattened
 * visible rows (what the virtual list renders). A filter keeps matching entries and their ancestors
 * among the directories already loaded.
 */
export function useFileTree(fa: FilesApi) {
  const [dirs, setDirs] = useState<Map<string, FileEntryDto[]>>(() => new Map());
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set(["/"]));
  const [loading, setLoading] = useState<Set<string>>(() => new Set());
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState("");
  const dirsRef = useRef(dirs);
  dirsRef.current = dirs;
  // Listings of one directory can overlap (opening it, then a refresh after an upload or another user's
  // change) and their answers can arrive out of order: only the newest request of a path may set it,
  // or an answer started before the change would hide the new file.
  const latest = useRef(new Map<string, number>());

  const load = useCallback(
    async (path: string): Promise<FileEntryDto[]> => {
      const ticket = (latest.current.get(path) ?? 0) + 1;
      latest.current.set(path, ticket);
      const current = () => latest.current.get(path) === ticket;
      setLoading((s) => new Set(s).add(path));
      try {
        const res = await fa.list(path);
        if (current()) {
          setDirs((m) => new Map(m).set(path, res.entries));
          setError(null);
        }
        return res.entries;
      } catch (e) {
        if (current()) setError((e as Error).message);
        return [];
      } finally {
        if (current())
          setLoading((s) => {
            const n = new Set(s);
            n.delete(path);
            return n;
          });
      }
    },
    [fa],
  );

  const toggle = useCallback(
    (path: string, open?: boolean) => {
      setExpanded((s) => {
        const n = new Set(s);
        const willOpen = open ?? !n.has(path);
        if (willOpen) n.add(path);
        else n.delete(path);
        if (willOpen && !dirsRef.current.has(path)) void load(path);
        return n;
      });
    },
    [load],
  );

  /** Expands every ancestor of `path` (loading as needed); resolves when the parent is listed. */
  const reveal = useCallback(
    async (path: string) => {
      const parts = path.split("/").filter(Boolean);
      let cur = "/";
      const toOpen = ["/"];
      for (const p of parts.slice(0, -1)) {
        cur = joinPath(cur, p);
        toOpen.push(cur);
      }
      for (const d of toOpen) if (!dirsRef.current.has(d)) await load(d);
      setExpanded((s) => new Set([...s, ...toOpen]));
    },
    [load],
  );

  /** Reloads the listings that contain any of these paths (after a change by anyone). */
  const refresh = useCallback(
    (paths: string[]) => {
      const parents = new Set(paths.map(parentOf));
      // A listing still in flight counts: it may have been read before the change.
      for (const p of parents) if (dirsRef.current.has(p) || latest.current.has(p)) void load(p);
    },
    [load],
  );

  const rows = useMemo(() => flatten({ dirs, expanded, loading, filter: filter.trim().toLowerCase() }), [dirs, expanded, loading, filter]);
  return { rows, dirs, expanded, load, toggle, reveal, refresh, filter, setFilter, error };
}

function flatten(o: { dirs: Map<string, FileEntryDto[]>; expanded: Set<string>; loading: Set<string>; filter: string }): TreeRow[] {
  const out: TreeRow[] = [];
  const matches = new Map<string, boolean>();
  const anyMatch = (e: FileEntryDto, depth: number): boolean => {
    if (!o.filter) return true;
    const hit = matches.get(e.path);
    if (hit !== undefined) return hit;
    let m = e.name.toLowerCase().includes(o.filter);
    if (!m && isDirLike(e) && depth < 64) m = (o.dirs.get(e.path) ?? []).some((c) => anyMatch(c, depth + 1));
    matches.set(e.path, m);
    return m;
  };
  const walk = (dir: string, depth: number) => {
    for (const e of o.dirs.get(dir) ?? []) {
      if (!anyMatch(e, depth)) continue;
      const open = isDirLike(e) && o.expanded.has(e.path);
      out.push({ entry: e, depth, expanded: open, loading: o.loading.has(e.path) });
      if (open) walk(e.path, depth + 1);
    }
  };
  walk("/", 0);
  return out;
}
