"use client";
import { useCallback, useEffect, useMemo, useState } from "react";
import type { FilesApi } from "./files-api";

/** Paths changed since unpack (server diff + edits), with every ancestor directory marked too. */
export function useChangedPaths(fa: FilesApi) {
  const [paths, setPaths] = useState<Set<string>>(() => new Set());
  useEffect(() => {
    fa.changed()
      .then((r) => setPaths(new Set(r.paths)))
      .catch(() => {});
  }, [fa]);
  const add = useCallback((ps: string[]) => setPaths((s) => new Set([...s, ...ps])), []);
  const marks = useMemo(() => {
    const m = new Set<string>();
    for (const p of paths) {
      let cur = p;
      while (cur && cur !== "/" && !m.has(cur)) {
        m.add(cur);
        cur = cur.slice(0, cur.lastIndexOf("/")) || "/";
      }
    }
    return m;
  }, [paths]);
  return { marks, add };
}
