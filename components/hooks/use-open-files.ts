"use client";
import { useCallback, useRef, useState } from "react";
import { isApiError } from "../api-client";
import type { FileContentDto, FileEntryDto, FilesApi } from "../files/files-api";
import { useUnsavedChanges } from "../unsaved-changes";
import { useHistoryGuard } from "./use-history-guard";

export type Conflict = { theirs: string; theirsEtag: string; mine: string };
export type OpenFile = {
  /** the path the user opened (a link is opened through its path) */
  path: string;
  data?: FileContentDto;
  error?: string;
  modified: boolean;
  saving: boolean;
  /** someone else saved this file after we opened it */
  changedBy?: string;
  conflict?: Conflict;
  message?: string;
  /** someone else deleted the file: the tab keeps the text so it can be saved elsewhere (Save as) or discarded */
  deletedBy?: string;
  /** what happened to the file meanwhile, e.g. someone else moved it (the tab followed) */
  notice?: string;
};

/**
 * The open tabs. Editor text lives in a ref (not state) so typing does not re-render the page; the
 * tab only flips `modified` when the text starts or stops differing from what was loaded or saved.
 */
export function useOpenFiles(fa: FilesApi, setModelText: (path: string, text: string) => void) {
  const [tabs, setTabs] = useState<OpenFile[]>([]);
  const [active, setActive] = useState<string | null>(null);
  const values = useRef(new Map<string, string>());
  const baseline = useRef(new Map<string, string>());
  const tabsRef = useRef(tabs);
  tabsRef.current = tabs;
  const patch = useCallback(
    (path: string, p: Partial<OpenFile>) => setTabs((ts) => ts.map((t) => (t.path === path ? { ...t, ...p } : t))),
    [],
  );

  const load = useCallback(
    async (path: string) => {
      try {
        const data = await fa.read(path);
        // the tab was closed, or moved by a rename, while this read was under way: its result is stale
        if (!tabsRef.current.some((t) => t.path === path)) return data;
        baseline.current.set(path, data.content ?? "");
        values.current.set(path, data.content ?? "");
        patch(path, { data, error: undefined, modified: false, changedBy: undefined, conflict: undefined });
        return data;
      } catch (e) {
        patch(path, { error: (e as Error).message });
      }
    },
    [fa, patch],
  );

  const open = useCallback(
    (path: string) => {
      setActive(path);
      setTabs((ts) => (ts.some((t) => t.path === path) ? ts : [...ts, { path, modified: false, saving: false }]));
      if (!values.current.has(path)) void load(path);
    },
    [load],
  );

  const close = useCallback((path: string) => {
    values.current.delete(path);
    baseline.current.delete(path);
    setTabs((ts) => {
      const rest = ts.filter((t) => t.path !== path);
      setActive((a) => (a === path ? (rest[rest.length - 1]?.path ?? null) : a));
      return rest;
    });
  }, []);

  const change = useCallback((path: string, v: string) => {
    values.current.set(path, v);
    const modified = v !== baseline.current.get(path);
    setTabs((ts) =>
      ts.find((t) => t.path === path)?.modified === modified ? ts : ts.map((t) => (t.path === path ? { ...t, modified } : t)),
    );
  }, []);

  /** Resolves to the saved file's new entry (size, mtime) so the caller can refresh what shows it; undefined when not saved. */
  const save = useCallback(
    async (path: string, text?: string, etagOverride?: string): Promise<FileEntryDto | undefined> => {
      const tab = tabsRef.current.find((t) => t.path === path);
      if (!tab?.data || tab.data.encoding === "binary") return undefined;
      const content = text ?? values.current.get(path) ?? "";
      patch(path, { saving: true, message: undefined });
      try {
        const r = await fa.save({ path, content, encoding: tab.data.encoding, etag: etagOverride ?? tab.data.etag });
        baseline.current.set(path, content);
        values.current.set(path, content);
        if (text !== undefined) setModelText(path, text);
        patch(path, {
          saving: false,
          modified: false,
          changedBy: undefined,
          conflict: undefined,
          data: { ...tab.data, etag: r.etag, entry: r.entry },
          message: "Saved",
        });
        return r.entry;
      } catch (e) {
        if (isApiError(e, "conflict") && typeof e.details.etag === "string") {
          const theirs = await fa.read(path).catch(() => null);
          patch(path, { saving: false, conflict: { theirs: theirs?.content ?? "", theirsEtag: theirs?.etag ?? "", mine: content } });
        } else patch(path, { saving: false, message: (e as Error).message });
        return undefined;
      }
    },
    [fa, patch, setModelText],
  );

  const reload = useCallback(
    async (path: string) => {
      const data = await load(path);
      if (data) setModelText(path, data.content ?? "");
    },
    [load, setModelText],
  );

  /** Another user (or tab) saved these paths: mark open tabs whose content no longer matches. */
  const markChanged = useCallback((paths: string[], by: string, etag?: string) => {
    setTabs((ts) => ts.map((t) => (t.data && paths.includes(t.data.entry.path) && etag !== t.data.etag ? { ...t, changedBy: by } : t)));
  }, []);

  /**
   * A rename/move of `from` (a file or a directory) to `to` done here: tabs on it or under it follow, with
   * their unsaved text. The editor model is keyed by path, so the new model starts from the current text
   * (data.content) and the old one is dropped; the baseline moves too, so the tab stays modified.
   */
  const renamed = useCallback(
    (from: string, to: string, dropModel: (path: string) => void, notice?: string) => {
      const moved = (p: string) => (p === from ? to : p.startsWith(`${from}/`) ? to + p.slice(from.length) : null);
      const texts = new Map<string, string | undefined>();
      for (const t of tabsRef.current) {
        const np = moved(t.path);
        if (np === null) continue;
        texts.set(t.path, values.current.get(t.path));
        for (const m of [values.current, baseline.current]) {
          const v = m.get(t.path);
          m.delete(t.path);
          if (v !== undefined) m.set(np, v);
        }
      }
      setTabs((ts) =>
        ts.map((t) => {
          const np = moved(t.path);
          if (np === null || !texts.has(t.path)) return t;
          const data = t.data && {
            ...t.data,
            content: texts.get(t.path) ?? t.data.content,
            entry: { ...t.data.entry, path: moved(t.data.entry.path) ?? t.data.entry.path },
          };
          return { ...t, path: np, data, ...(notice ? { notice } : {}) };
        }),
      );
      setActive((a) => (a === null ? a : (moved(a) ?? a)));
      // a tab still loading is read again under its new path
      for (const t of tabsRef.current)
        if (!t.data && moved(t.path) !== null) void Promise.resolve().then(() => load(moved(t.path) as string));
      // after the editor switched to the new model: the old path's model would otherwise be reused for a new file there
      setTimeout(() => {
        for (const old of texts.keys()) dropModel(old);
      }, 0);
    },
    [load],
  );

  /** `path` (a file or a directory) was deleted here: its tabs, and tabs under it, are closed. */
  const removed = useCallback((path: string, dropModel: (path: string) => void) => {
    const gone = (p: string) => p === path || p.startsWith(`${path}/`);
    for (const t of tabsRef.current)
      if (gone(t.path)) {
        values.current.delete(t.path);
        baseline.current.delete(t.path);
        dropModel(t.path);
      }
    setTabs((ts) => {
      const rest = ts.filter((t) => !gone(t.path));
      setActive((a) => (a !== null && gone(a) ? (rest[rest.length - 1]?.path ?? null) : a));
      return rest;
    });
  }, []);

  /**
   * Someone else deleted `path` (a file or a directory): its tabs stay open, marked deleted, with their text.
   * Closing them silently would throw away unsaved work, and even unedited text is now the only copy of a
   * file that may have been deleted by mistake: the admin reads who deleted it, then saves the text elsewhere
   * (or at the same path, recreating it) or closes the tab.
   */
  const deletedElsewhere = useCallback((path: string, by: string) => {
    const gone = (p: string) => p === path || p.startsWith(`${path}/`);
    setTabs((ts) =>
      ts.map((t) =>
        gone(t.path) || (t.data && gone(t.data.entry.path)) ? { ...t, deletedBy: by, changedBy: undefined, conflict: undefined } : t,
      ),
    );
  }, []);

  /** Writes a tab's text to a new file `to` (created owned like its directory, mode 0644); the tab moves there. */
  const saveAs = useCallback(
    async (path: string, to: string, dropModel: (path: string) => void): Promise<FileEntryDto | undefined> => {
      const tab = tabsRef.current.find((t) => t.path === path);
      if (!tab?.data || tab.data.encoding === "binary") return undefined;
      const content = values.current.get(path) ?? tab.data.content ?? "";
      patch(path, { saving: true, message: undefined });
      try {
        await fa.create({ path: to, type: "file" });
        const fresh = await fa.read(to);
        const r = await fa.save({ path: to, content, encoding: tab.data.encoding, etag: fresh.etag });
        if (to !== path) renamed(path, to, dropModel);
        baseline.current.set(to, content);
        values.current.set(to, content);
        patch(to, {
          saving: false,
          modified: false,
          deletedBy: undefined,
          notice: undefined,
          changedBy: undefined,
          data: { ...fresh, content, etag: r.etag, entry: r.entry },
          message: "Saved",
        });
        return r.entry;
      } catch (e) {
        patch(path, { saving: false, message: (e as Error).message });
        return undefined;
      }
    },
    [fa, patch, renamed],
  );

  const modifiedCount = tabs.filter((t) => t.modified).length;
  // guards reload/close (beforeunload) and every in-app link (the app nav and breadcrumb ask the registry)
  useUnsavedChanges(
    "open-files",
    modifiedCount ? `${modifiedCount} open file${modifiedCount > 1 ? "s have" : " has"} unsaved changes.` : null,
  );
  // and the browser's Back/Forward buttons
  useHistoryGuard(modifiedCount > 0);

  return {
    tabs,
    active,
    setActive,
    open,
    close,
    change,
    save,
    saveAs,
    reload,
    markChanged,
    renamed,
    removed,
    deletedElsewhere,
    values,
    patch,
  };
}
