"use client";
import Link from "next/link";
import { useMemo, useState } from "react";
import type { ImageSummaryDto } from "@/lib/api/contracts/images";
import { holderText } from "@/lib/images/gate-words";
import { roleAtLeast, useCurrentUser } from "../current-user";
import { formatAmount, formatTime } from "../format";
import { useImages } from "../hooks/use-images";
import { ImportImage } from "./import-image";
import { RetentionSetting } from "./retention-setting";
import { SecuritySettings } from "./security-settings";

type SortKey = "name" | "size" | "date" | "os";

export function ImagesList() {
  const user = useCurrentUser();
  const [filter, setFilter] = useState("");
  const [sort, setSort] = useState<SortKey>("name");
  const q = useImages();
  const rows = useMemo(() => {
    const f = filter.trim().toLowerCase();
    const list = (q.data?.images ?? []).filter(
      (i) => !f || [i.imagename, i.osvers, i.osarch, i.profile, i.workspace].some((s) => s.toLowerCase().includes(f)),
    );
    const by: Record<SortKey, (a: ImageSummaryDto, b: ImageSummaryDto) => number> = {
      name: (a, b) => a.imagename.localeCompare(b.imagename),
      os: (a, b) => `${a.osvers}/${a.osarch}/${a.profile}`.localeCompare(`${b.osvers}/${b.osarch}/${b.profile}`),
      size: (a, b) => (b.archive?.size ?? -1) - (a.archive?.size ?? -1),
      date: (a, b) => (b.archive?.mtime ?? "").localeCompare(a.archive?.mtime ?? ""),
    };
    return [...list].sort(by[sort]);
  }, [q.data, filter, sort]);

  return (
    <section data-testid="images-page">
      <div className="toolbar">
        <h1>Images</h1>
        {q.data && (
          <span className="badge" data-testid="images-backend">
            {q.data.backend === "xcat" ? "xCAT backend" : "local registry"}
          </span>
        )}
        <span className="spacer" />
        <input
          placeholder="Filter by name, OS, state…"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          data-testid="images-filter"
        />
        <label className="small">
          Sort{" "}
          <select value={sort} onChange={(e) => setSort(e.target.value as SortKey)} data-testid="images-sort">
            <option value="name">name</option>
            <option value="os">OS / arch / profile</option>
            <option value="size">archive size</option>
            <option value="date">packed date</option>
          </select>
        </label>
      </div>
      {q.error && <div className="error">{(q.error as Error).message}</div>}
      <table className="table" data-testid="images-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>OS / arch / profile</th>
            <th>Packed archive</th>
            <th>Workspace</th>
            <th>Pending</th>
            <th>Locked by</th>
            <th>Last job</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((i) => (
            <tr key={i.imagename} data-testid="image-row" data-image={i.imagename}>
              <td>
                <Link href={`/images/${encodeURIComponent(i.imagename)}`} data-testid="image-link">
                  {i.imagename}
                </Link>
              </td>
              <td>
                {i.osvers} / {i.osarch} / {i.profile}
              </td>
              <td>
                {i.archive ? (
                  <>
                    {i.archive.format} · {formatAmount(i.archive.size, "bytes")} · {formatTime(i.archive.mtime)}
                  </>
                ) : (
                  <span className="muted">not packed</span>
                )}
              </td>
              <td>
                <span className={`badge ws-${i.workspace}`} data-testid="image-workspace">
                  {i.workspace}
                </span>
                {i.busy && (
                  <div className="muted small" data-testid="image-row-busy">
                    {holderText(i.busy)}
                  </div>
                )}
              </td>
              <td data-testid="image-pending">
                {i.treeExists ? (
                  <Link
                    href={`/changes?image=${encodeURIComponent(i.imagename)}`}
                    title="edits recorded since the last pack; the Changes page compares the whole tree"
                  >
                    {i.pendingChanges}
                  </Link>
                ) : (
                  i.pendingChanges
                )}
              </td>
              <td>{i.lock ? i.lock.holder : <span className="muted">–</span>}</td>
              <td>
                {i.lastJob ? (
                  <Link href={`/jobs/${i.lastJob.id}`}>
                    {i.lastJob.type} · {i.lastJob.state}
                  </Link>
                ) : (
                  <span className="muted">–</span>
                )}
              </td>
            </tr>
          ))}
          {q.data && rows.length === 0 && (
            <tr>
              <td colSpan={7} className="muted">
                No images{filter ? " match the filter" : ""}.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {roleAtLeast(user, "admin") && (
        <div className="grid2" style={{ display: "grid", gridTemplateColumns: "1fr 1fr", gap: 12, marginTop: 12 }}>
          <ImportImage />
          <RetentionSetting />
        </div>
      )}
      <div style={{ marginTop: 12 }}>
        <SecuritySettings />
      </div>
    </section>
  );
}
