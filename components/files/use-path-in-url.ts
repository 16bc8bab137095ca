"use client";
import { useEffect, useRef } from "react";

/**
 * Keeps `?path=` of the files page equal to the entry the user is on, so a link to a file can be shared:
 * on load `onInitial` opens the path from the URL; later, selecting an entry or switching to a tab
 * replaces the URL (replaceState: moving around the tree does not flood the back button; Next's router
 * state is passed along). Slashes stay readable: `?path=/etc/motd`.
 */
export function usePathInUrl(o: { selected: string | null | undefined; active: string | null; onInitial: (path: string) => void }): void {
  const initial = useRef(o.onInitial);
  initial.current = o.onInitial;
  useEffect(() => {
    const p = new URLSearchParams(window.location.search).get("path");
    if (p?.startsWith("/")) initial.current(p);
  }, []);
  useEffect(() => showPath(o.selected), [o.selected]);
  useEffect(() => showPath(o.active), [o.active]);
}

function showPath(path: string | null | undefined): void {
  if (!path) return;
  const url = new URL(window.location.href);
  if (url.searchParams.get("path") === path) return;
  url.searchParams.delete("path");
  const rest = url.searchParams.toString();
  const query = `?path=${encodeURIComponent(path).replace(/%2F/g, "/")}${rest ? `&${rest}` : ""}`;
  window.history.replaceState(window.history.state, "", `${url.pathname}${query}${url.hash}`);
}
