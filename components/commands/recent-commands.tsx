"use client";
import Link from "next/link";
import { formatTime } from "../format";
import { useCommands } from "../hooks/use-commands";
import { describeEnd } from "./run-view";

/** The image page's view of its command history: the last few commands and shells, each linking to its record. */
export function RecentCommands({ image }: { image: string }) {
  const q = useCommands(image);
  const runs = q.data?.runs.slice(0, 5) ?? [];
  const href = (id?: string) => `/images/${encodeURIComponent(image)}/commands${id ? `?run=${encodeURIComponent(id)}` : ""}`;
  return (
    <div className="card" data-testid="image-commands" style={{ marginTop: 12 }}>
      <div className="toolbar" style={{ marginBottom: 4 }}>
        <h2 style={{ margin: 0 }}>Commands</h2>
        <span className="spacer" />
        <Link href={href()} data-testid="image-commands-link">
          all commands and shells
        </Link>
      </div>
      {runs.length === 0 && <p className="muted small">No command has been run in this image.</p>}
      {runs.length > 0 && (
        <table className="table">
          <tbody>
            {runs.map((r) => (
              <tr key={r.id}>
                <td className="nowrap">{formatTime(r.startedAt)}</td>
                <td>{r.username}</td>
                <td className="mono">
                  <Link href={href(r.id)}>{r.kind === "shell" ? "shell session" : r.line}</Link>
                </td>
                <td>{describeEnd(r)}</td>
                <td>
                  {r.effectSummary}
                  {r.effectState === "applied" ? " · applied" : r.effectState === "pending" ? " · waiting for apply" : ""}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
