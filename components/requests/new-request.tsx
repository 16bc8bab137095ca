"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { roleAtLeast, useCurrentUser } from "../current-user";
import { Forbidden } from "../forbidden";
import { useChanges } from "../hooks/use-changes";
import { useRequestCommands } from "../hooks/use-requests";
import { VisibleName } from "../visible-name";

/** Bundles pending changes of one unpacked image into a change request: title, description, which paths. */
export function NewRequest({ image }: { image: string }) {
  const me = useCurrentUser();
  const router = useRouter();
  const q = useChanges(image);
  const cmd = useRequestCommands();
  const changes = q.data?.images.find((i) => i.image === image)?.changes ?? [];
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [picked, setPicked] = useState<Set<string> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (picked === null && q.data) setPicked(new Set(changes.map((c) => c.path)));
  }, [q.data, picked, changes]);
  if (!roleAtLeast(me, "editor")) return <Forbidden need="editor" />;
  async function submit(draft: boolean) {
    setBusy(true);
    setError(null);
    try {
      const r = await cmd.create({ image, title, description, paths: [...(picked ?? [])], draft });
      router.push(`/requests/${r.id}`);
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  }
  const all = picked?.size === changes.length;
  return (
    <section data-testid="new-request" data-image={image}>
      <h1>New change request on {image}</h1>
      <p className="muted small">
        The diff of the files picked below is captured when you submit: later edits do not enter the request silently; they show as “changed
        since submitted” and you update the request to include them.
      </p>
      <div className="card" style={{ display: "grid", gap: 8, maxWidth: 900 }}>
        <label>
          Title{" "}
          <input
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            maxLength={200}
            style={{ width: "100%" }}
            data-testid="request-title"
          />
        </label>
        <label>
          Description{" "}
          <textarea
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            rows={4}
            style={{ width: "100%" }}
            data-testid="request-description"
          />
        </label>
        {q.error && <p className="error">{(q.error as Error).message}</p>}
        {q.data && changes.length === 0 && (
          <p className="muted" data-testid="request-nothing">
            {image} has no pending change.
          </p>
        )}
        {changes.length > 0 && (
          <table className="table" data-testid="request-paths">
            <thead>
              <tr>
                <th>
                  <input
                    type="checkbox"
                    checked={all}
                    onChange={() => setPicked(all ? new Set() : new Set(changes.map((c) => c.path)))}
                    aria-label="all"
                  />
                </th>
                <th>Path</th>
                <th>Change</th>
                <th>By</th>
              </tr>
            </thead>
            <tbody>
              {changes.map((c) => (
                <tr key={c.path} data-testid="request-path" data-path={c.path}>
                  <td>
                    <input
                      type="checkbox"
                      checked={picked?.has(c.path) ?? false}
                      onChange={() =>
                        setPicked((cur) => {
                          const n = new Set(cur);
                          if (n.has(c.path)) n.delete(c.path);
                          else n.add(c.path);
                          return n;
                        })
                      }
                    />
                  </td>
                  <td className="mono">
                    <VisibleName name={c.path} />
                  </td>
                  <td>
                    {c.kind}
                    {c.fields?.length ? `: ${c.fields.join(", ")}` : ""}
                  </td>
                  <td className="small">{[...c.by, ...c.commands.map((x) => `command “${x.line}”`)].join(", ") || "outside the editor"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {error && (
          <div className="error" data-testid="request-create-error">
            {error}
          </div>
        )}
        <div className="toolbar">
          <button
            type="button"
            className="primary"
            disabled={busy || !title.trim() || !picked?.size}
            onClick={() => submit(false)}
            data-testid="request-submit"
          >
            Submit for review
          </button>
          <button
            type="button"
            disabled={busy || !title.trim() || !picked?.size}
            onClick={() => submit(true)}
            data-testid="request-save-draft"
          >
            Save as draft
          </button>
          <Link href={`/changes?image=${encodeURIComponent(image)}`}>Cancel</Link>
        </div>
      </div>
    </section>
  );
}
