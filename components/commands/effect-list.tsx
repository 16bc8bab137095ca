"use client";
import Link from "next/link";
import type { EffectEntryDto } from "@/lib/api/contracts/commands";

const LETTER: Record<EffectEntryDto["kind"], string> = { added: "A", removed: "D", modified: "M", metadata: "m", type: "T" };
const KIND: Record<EffectEntryDto["kind"], string> = {
  added: "added",
  removed: "removed",
  modified: "changed",
  metadata: "metadata changed",
  type: "type changed",
};
const octal = (m?: number) => (m === undefined ? "?" : m.toString(8).padStart(4, "0"));

function describe(e: EffectEntryDto): string {
  const b = e.before;
  const a = e.after;
  if (e.kind === "added") return `${a?.type}${a?.type === "symlink" ? ` → ${a.target}` : ""}, mode ${octal(a?.mode)}, ${a?.uid}:${a?.gid}`;
  if (e.kind === "removed") return `${b?.type} removed${b?.type === "dir" ? " with everything in it" : ""}`;
  if (e.kind === "type") return `${b?.type} → ${a?.type}`;
  const parts: string[] = [];
  for (const f of e.fields ?? []) {
    if (f === "content") parts.push(`content (${b?.size} → ${a?.size} bytes)`);
    if (f === "mode") parts.push(`mode ${octal(b?.mode)} → ${octal(a?.mode)}`);
    if (f === "owner") parts.push(`owner ${b?.uid}:${b?.gid} → ${a?.uid}:${a?.gid}`);
    if (f === "target") parts.push(`link ${b?.target} → ${a?.target}`);
    if (f === "device") parts.push("device number");
  }
  return parts.join(", ");
}

/** What a run added, removed and changed: the review before anything reaches the image. */
export function EffectList({ image, effect }: { image: string; effect: EffectEntryDto[] }) {
  if (effect.length === 0)
    return (
      <p className="muted small" data-testid="effect-none">
        No files were added, removed or changed.
      </p>
    );
  return (
    <table className="table" data-testid="effect-list">
      <thead>
        <tr>
          <th></th>
          <th>Path</th>
          <th>Change</th>
          <th>Details</th>
        </tr>
      </thead>
      <tbody>
        {effect.slice(0, 2000).map((e) => (
          <tr key={e.path} data-testid="effect-row" data-path={e.path} data-kind={e.kind}>
            <td className="mono" title={KIND[e.kind]}>
              {LETTER[e.kind]}
            </td>
            <td className="mono">
              {e.kind === "removed" ? (
                e.path
              ) : (
                <Link href={`/images/${encodeURIComponent(image)}/files?path=${encodeURI(e.path)}`}>{e.path}</Link>
              )}
            </td>
            <td>{KIND[e.kind]}</td>
            <td className="small" data-testid="effect-detail">
              {describe(e)}
            </td>
          </tr>
        ))}
        {effect.length > 2000 && (
          <tr>
            <td colSpan={4} className="muted">
              … and {effect.length - 2000} more
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
