"use client";
import { useEffect } from "react";
import { confirmLeave } from "../unsaved-changes";

type NavigateEventLike = Event & {
  navigationType: string;
  cancelable: boolean;
  hashChange: boolean;
  destination: { url: string; sameDocument: boolean };
};
type NavigationLike = EventTarget & { currentEntry: { index: number } | null };

/**
 * Guards the browser's Back and Forward buttons while `active`. In the app every page is the same
 * document (Next's router turns a history step into a `popstate`), so neither `beforeunload` nor the
 * guarded links see them, and by the time `popstate` reaches this page Next's router (whose listener was
 * added first) has already switched pages. So the step is caught earlier, at the Navigation API's
 * `navigate` event (Chromium, Firefox >= 147, Safari >= 26.2), which fires before the browser moves: a
 * step to another pathname (`?path=` changes stay) asks `confirmLeave`, and a "no" cancels it.
 * Browsers only let a page cancel a traversal after a user interaction (typing counts); where that or the
 * API is missing, the `popstate` fallback below asks and steps back, which works where it runs before the
 * router's listener.
 */
export function useHistoryGuard(active: boolean): void {
  useEffect(() => {
    if (!active) return;
    const here = window.location.pathname;
    const nav = (window as unknown as { navigation?: NavigationLike }).navigation;
    let answered = false;
    const leaves = (url: string) => new URL(url, window.location.href).pathname !== here;
    const onNavigate = (ev: Event) => {
      const e = ev as NavigateEventLike;
      if (e.navigationType !== "traverse" || !e.cancelable || !e.destination.sameDocument || !leaves(e.destination.url)) return;
      if (!confirmLeave()) e.preventDefault();
      else answered = true;
    };
    // fallback: the page's own entry as it is when the guard starts
    const state: unknown = window.history.state;
    const url = window.location.href;
    const onPop = (e: PopStateEvent) => {
      if (window.location.pathname === here) return;
      if (answered) return; // asked (and agreed) at the navigate event already
      if (confirmLeave()) return;
      e.stopImmediatePropagation();
      window.history.pushState(state, "", url);
    };
    nav?.addEventListener("navigate", onNavigate);
    window.addEventListener("popstate", onPop, { capture: true });
    return () => {
      nav?.removeEventListener("navigate", onNavigate);
      window.removeEventListener("popstate", onPop, { capture: true });
    };
  }, [active]);
}
