"use client";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";
import { formatTime } from "../format";
import { useImageHistory } from "../hooks/use-requests";
import { VersionCompare } from "./review-diff";

const KINDS = [
  ["", "everything"],
  ["version", "versions"],
  ["request", "change requests"],
  ["command", "commands"],
  ["deploy", "deploys"],
] as const;

function refOf(image: string, kind: string, ref: string) {
  const img = encodeURIComponent(image);
  if (kind === "request") return <Link href={`/requests/${ref}`}>#{ref}</Link>;
  if (kind === "command") return <Link href={`/images/${img}/commands?run=${encodeURIComponent(ref)}`}>run</Link>;
  if (kind === "deploy") return <Link href={`/jobs/${encodeURIComponent(ref)}`}>job</Link>;
  return <span>v{ref}</span>;
}

/** One image's history: versions, change request steps, commands, deploys; filters in the URL; two versions compared. */
export function ImageHistory({ image }: { image: string }) {
  const sp = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const kind = sp.get("kind") ?? "";
  const user = sp.get("user") ?? "";
  const q = useImageHistory(image, { kind: kind || undefined, user: user || undefined });
  const versions = q.data?.versions ?? [];
  const [from, setFrom] = useState<number | null>(null);
  const [to, setTo] = useState<number | null>(null);
  const [compare, setCompare] = useState<{ from: number; to: number } | null>(null);
  useEffect(() => {
    if (versions.length >= 2 && from === null && to === null) {
      setTo(versions[0].seq);
      setFrom(versions[1].seq);
    }
  }, [versions, from, to]);
  // From the address bar as it is now, not as last rendered: two filter changes in a row must not undo each other.
  const setFilter = (k: string, v: string) => {
    const n = new URLSearchParams(window.location.search);
    if (v) n.set(k, v);
    else n.delete(k);
    router.replace(`${pathname}?${n.toString()}`);
  };
  return (
    <section data-testid="image-history" data-image={image}>
      <div className="toolbar">
        <h1>History of {image}</h1>
        <span className="spacer" />
        <Link href={`/images/${encodeURIComponent(image)}`}>image</Link>
        <Link href={`/requests?image=${encodeURIComponent(image)}`}>change requests</Link>
      </div>
      <div className="card" data-testid="history-compare">
        <h2>Compare two versions</h2>
        {versions.length < 2 ? (
          <p className="muted small">
            Two kept versions are needed to compare; {image} has {versions.length}.
          </p>
        ) : (
          <div className="toolbar">
            <VersionSelect label="from" testId="compare-from" versions={versions} value={from} onChange={setFrom} />
            <VersionSelect label="to" testId="compare-to" versions={versions} value={to} onChange={setTo} />
            <button
              type="button"
              disabled={from === null || to === null || from === to}
              onClick={() => from !== null && to !== null && setCompare({ from, to })}
              data-testid="compare-run"
            >
              Compare
            </button>
          </div>
        )}
        {compare && <VersionCompare key={`${compare.from}-${compare.to}`} image={image} from={compare.from} to={compare.to} />}
      </div>
      <div className="toolbar" style={{ marginTop: 12 }}>
        <h2>Timeline</h2>
        <label className="small">
          kind{" "}
          <select value={kind} onChange={(e) => setFilter("kind", e.target.value)} data-testid="history-kind">
            {KINDS.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label className="small">
          user{" "}
          <select value={user} onChange={(e) => setFilter("user", e.target.value)} data-testid="history-user">
            <option value="">everyone</option>
            {[...new Set([...(q.data?.users ?? []), ...(user ? [user] : [])])].map((u) => (
              <option key={u} value={u}>
                {u}
              </option>
            ))}
          </select>
        </label>
      </div>
      {q.error && <p className="error">{(q.error as Error).message}</p>}
      <table className="table" data-testid="history-table">
        <thead>
          <tr>
            <th>When</th>
            <th>Kind</th>
            <th>Who</th>
            <th>What</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {q.data?.entries.map((e) => (
            <tr key={e.key} data-testid="history-entry" data-kind={e.kind} data-user={e.user}>
              <td className="nowrap">{formatTime(e.at)}</td>
              <td>{e.kind}</td>
              <td>{e.user}</td>
              <td>
                {e.title}
                {e.state ? <span className="badge"> {e.state.replace("_", " ")}</span> : null}
                {e.detail ? <div className="small muted">{e.detail}</div> : null}
              </td>
              <td>{refOf(image, e.kind, e.ref)}</td>
            </tr>
          ))}
          {q.data?.entries.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                Nothing recorded{kind || user ? " for this filter" : ""}.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}

function VersionSelect({
  label,
  testId,
  versions,
  value,
  onChange,
}: {
  label: string;
  testId: string;
  versions: { seq: number; live: boolean }[];
  value: number | null;
  onChange: (seq: number) => void;
}) {
  return (
    <label className="small">
      {label}{" "}
      <select value={value ?? ""} onChange={(e) => onChange(Number(e.target.value))} data-testid={testId}>
        {versions.map((v) => (
          <option key={v.seq} value={v.seq}>
            version {v.seq}
            {v.live ? " (live)" : ""}
          </option>
        ))}
      </select>
    </label>
  );
}
