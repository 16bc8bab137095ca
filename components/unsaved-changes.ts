"use client";
import { useEffect } from "react";

/**
 * Which parts of the page hold unsaved work, for the whole app shell. A client-side (Next Link) navigation
 * never fires `beforeunload`, so every in-app way out (nav links, breadcrumbs, sign out) asks `confirmLeave`
 * first; reloads and closing the tab still go through `beforeunload`. One registry per browser tab: it is
 * only read and written from effects and click handlers, never during server rendering.
 */
const sources = new Map<string, string>();

/** Registers (message) or clears (null) one source of unsaved work. */
function setUnsaved(id: string, message: string | null): void {
  if (message) sources.set(id, message);
  else sources.delete(id);
}

function unsavedMessages(): string[] {
  return [...sources.values()];
}

/** True when nothing is unsaved or the user agrees to lose it. */
export function confirmLeave(): boolean {
  const msgs = unsavedMessages();
  if (msgs.length === 0) return true;
  return window.confirm(`${msgs.join("\n")}\nLeave and lose them?`);
}

/** While `message` is set, this component's work is guarded against in-app navigation, reload and close. */
export function useUnsavedChanges(id: string, message: string | null): void {
  useEffect(() => {
    if (!message) return;
    setUnsaved(id, message);
    const guard = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = "";
    };
    window.addEventListener("beforeunload", guard);
    return () => {
      setUnsaved(id, null);
      window.removeEventListener("beforeunload", guard);
    };
  }, [id, message]);
}
