"use client";
import { useMutation } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { roleAtLeast, useCurrentUser } from "../current-user";
import { useSecuritySettings, useSecuritySettingsCommands } from "../hooks/use-security-settings";

const lines = (s: string) =>
  s
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);

/**
 * The security settings, shown to everyone (so a viewer knows why a file's content is withheld) and edited by
 * admins: sensitive paths, root-private files, and the images where editors may set setuid/setgid.
 */
export function SecuritySettings() {
  const user = useCurrentUser();
  const admin = roleAtLeast(user, "admin");
  const q = useSecuritySettings();
  const cmd = useSecuritySettingsCommands();
  const [paths, setPaths] = useState("");
  const [rootPrivate, setRootPrivate] = useState(true);
  const [images, setImages] = useState("");
  useEffect(() => {
    if (!q.data) return;
    setPaths(q.data.sensitivePaths.join("\n"));
    setRootPrivate(q.data.sensitiveRootPrivate);
    setImages(q.data.privilegedEditorImages.join("\n"));
  }, [q.data]);
  const save = useMutation({
    mutationFn: () => cmd.save({ sensitivePaths: lines(paths), sensitiveRootPrivate: rootPrivate, privilegedEditorImages: lines(images) }),
  });
  return (
    <div className="card" data-testid="security-settings">
      <h2>Security</h2>
      <p className="small muted">
        Sensitive files: viewers see that they exist and their metadata, editors and above their content. Setuid/setgid bits and handing
        executables to root need an admin, or an editor on the images listed below.
      </p>
      <label className="small">
        Sensitive paths (one per line, <code>*</code> within a name)
        <textarea
          rows={6}
          value={paths}
          readOnly={!admin}
          onChange={(e) => setPaths(e.target.value)}
          data-testid="security-sensitive-paths"
          style={{ width: "100%" }}
        />
      </label>
      <label className="small" style={{ display: "block" }}>
        <input
          type="checkbox"
          checked={rootPrivate}
          disabled={!admin}
          onChange={(e) => setRootPrivate(e.target.checked)}
          data-testid="security-root-private"
        />{" "}
        also every root-owned file of mode 0600 or 0400
      </label>
      <label className="small">
        Images where editors may set setuid/setgid (one per line)
        <textarea
          rows={2}
          value={images}
          readOnly={!admin}
          onChange={(e) => setImages(e.target.value)}
          data-testid="security-privileged-images"
          style={{ width: "100%" }}
        />
      </label>
      {admin && (
        <button type="button" onClick={() => save.mutate()} disabled={save.isPending} data-testid="security-save">
          Save
        </button>
      )}
      {save.isSuccess && <span className="notice small"> saved</span>}
      {save.error && <div className="error">{(save.error as Error).message}</div>}
    </div>
  );
}
