"use client";
import dynamic from "next/dynamic";

/**
 * The one place change requests take the text diff view from. TEMPORARY local Monaco diff until
 * components/review/text-diff.tsx lands (same props: original, modified, language, sideBySide, onLineAction, lineMarkers).
 */
export const TextDiff = dynamic(() => import("./text-diff-local"), { ssr: false, loading: () => <p className="muted">Loading diff…</p> });

/** TEMPORARY until components/review/version-compare.tsx lands. */
export function VersionCompare({ image, from, to }: { image: string; from: number; to: number }) {
  return <p className="muted" data-testid="version-compare-pending">Comparing {image} version {from} with {to} needs the version compare view.</p>;
}
