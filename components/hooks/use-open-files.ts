"use client";
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError } from "../api-client";
import type { FileContentDto, FileEntryDto, FilesApi } from "../files/files-api";

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
  const patch = useCallback((path: string, p: Partial<OpenFile>) => setTabs((ts) => ts.map((t) => (t.path === path ? { ...t, ...p } : t))), []);

  const load = useCallback(async (path: string) => {
    try {
      const data = await fa.read(path);
      baseline.current.set(path, data.content ?? "");
      values.current.set(path, data.content ?? "");
      patch(path, { data, error: undefined, modified: false, changedBy: undefined, conflict: undefined });
      return data;
    } catch (e) {
      patch(path, { error: (e as Error).message });
    }
  }, [fa, patch]);

  const open = useCallback((path: string) => {
    setActive(path);
    setTabs((ts) => (ts.some((t) => t.path === path) ? ts : [...ts, { path, modified: false, saving: false }]));
    if (!values.current.has(path)) void load(path);
  }, [load]);

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
    setTabs((ts) => (ts.find((t) => t.path === path)?.modified === modified ? ts : ts.map((t) => (t.path === path ? { ...t, modified } : t))));
  }, []);

  /** Resolves to the saved file's new entry (size, mtime) so the caller can refresh what shows it; undefined when not saved. */
  const save = useCallback(async (path: string, text?: string, etagOverride?: string): Promise<FileEntryDto | undefined> => {
    const tab = tabsRef.current.find((t) => t.path === path);
    if (!tab?.data || tab.data.encoding === "binary") return undefined;
    const content = text ?? values.current.get(path) ?? "";
    patch(path, { saving: true, message: undefined });
    try {
      const r = await fa.save({ path, content, encoding: tab.data.encoding, etag: etagOverride ?? tab.data.etag });
      baseline.current.set(path, content);
      values.current.set(path, content);
      if (text !== undefined) setModelText(path, text);
      patch(path, { saving: false, modified: false, changedBy: undefined, conflict: undefined, data: { ...tab.data, etag: r.etag, entry: r.entry }, message: "Saved" });
      return r.entry;
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        const theirs = await fa.read(path).catch(() => null);
        patch(path, { saving: false, conflict: { theirs: theirs?.content ?? "", theirsEtag: theirs?.etag ?? "", mine: content } });
      } else patch(path, { saving: false, message: (e as Error).message });
      return undefined;
    }
  }, [fa, patch, setModelText]);

  const reload = useCallback(async (path: string) => {
    const data = await load(path);
    if (data) setModelText(path, data.content ?? "");
  }, [load, setModelText]);

  /** Another user (or tab) saved these paths: mark open tabs whose content no longer matches. */
  const markChanged = useCallback((paths: string[], by: string, etag?: string) => {
    setTabs((ts) => ts.map((t) => (t.data && paths.includes(t.data.entry.path) && etag !== t.data.etag ? { ...t, changedBy: by } : t)));
  }, []);

  const anyModified = tabs.some((t) => t.modified);
  useEffect(() => {
    if (!anyModified) return;
    const guard = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = "";
    };
    window.addEventListener("beforeunload", guard);
    return () => window.removeEventListener("beforeunload", guard);
  }, [anyModified]);

  return { tabs, active, setActive, open, close, change, save, reload, markChanged, values, patch };
}
