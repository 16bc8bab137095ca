"use client";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { roleAtLeast, useCurrentUser } from "../current-user";
import { isDirLike, useFileTree } from "../hooks/use-file-tree";
import { type FilesChangedEvent, useImagePresence } from "../hooks/use-image-presence";
import { useOpenFiles } from "../hooks/use-open-files";
import { DetailsPanel } from "./details-panel";
import { dropEditorModel, setEditorText } from "./editor-models";
import { EditorPane } from "./editor-pane";
import { FileActions } from "./file-actions";
import { FileTree } from "./file-tree";
import styles from "./files.module.css";
import { type FileEntryDto, filesApi, joinPath, parentOf } from "./files-api";
import { FilesBreadcrumb } from "./files-breadcrumb";
import { TreeToolbar } from "./tree-toolbar";
import { UploadPanel, useUploads } from "./upload-panel";
import { useChangedPaths } from "./use-changed-paths";
import { usePathInUrl } from "./use-path-in-url";

/** The file browser of one unpacked image: tree, tabs with Monaco, details, operations, presence. */
export function FileBrowser({ image }: { image: string }) {
  const user = useCurrentUser();
  const canEdit = roleAtLeast(user, "editor");
  const fa = useMemo(() => filesApi(image), [image]);
  const tree = useFileTree(fa);
  const files = useOpenFiles(fa, setEditorText);
  const [selected, setSelectedNow] = useState<FileEntryDto | null>(null);
  // Every selection bumps `selectionSeq`; an entry fetched for a selection made earlier (after a create or
  // rename, a stat still under way) is applied only if nothing was selected since: a late answer must
  // never undo the user's newer click (it made Rename act on the previous file).
  const selectionSeq = useRef(0);
  const setSelected = useCallback((e: FileEntryDto | null) => {
    selectionSeq.current++;
    setSelectedNow(e);
  }, []);
  const selectLater = useCallback((p: Promise<FileEntryDto>) => {
    const seq = ++selectionSeq.current;
    void p
      .then((e) => {
        if (selectionSeq.current === seq) setSelectedNow(e);
      })
      .catch(() => {});
  }, []);
  const [error, setError] = useState<string | null>(null);
  const changed = useChangedPaths(fa);
  const treeBox = useRef<HTMLDivElement>(null);
  const [treeHeight, setTreeHeight] = useState(500);

  useEffect(() => {
    void tree.load("/");
  }, [tree.load]);
  useEffect(() => {
    const el = treeBox.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setTreeHeight(Math.max(200, el.clientHeight)));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // The details panel shows a snapshot of the selected entry: re-read it whenever something changed it
  // (a save here, a save or chmod by someone else) so size, mtime and mode are never stale.
  const selectedRef = useRef(selected);
  selectedRef.current = selected;
  const refreshDetails = useCallback(
    (paths: (string | undefined)[]) => {
      const sel = selectedRef.current;
      if (!sel || !paths.includes(sel.path)) return;
      void fa
        .stat(sel.path)
        .then((e) => {
          if (selectedRef.current?.path === e.path) setSelectedNow(e); // a refresh of the same selection
        })
        .catch(() => {});
    },
    [fa],
  );
  const save = useCallback(
    async (path: string, text?: string, etag?: string) => {
      const entry = await files.save(path, text, etag);
      if (entry) refreshDetails([path, entry.path]);
      return entry;
    },
    [files.save, refreshDetails],
  );

  const afterChange = useCallback(
    (paths: string[], select?: string) => {
      tree.refresh(paths);
      changed.add(paths);
      if (select) selectLater(fa.stat(select));
      else if (selected && paths.includes(selected.path)) setSelected(null);
    },
    [tree, changed, fa, selected, selectLater, setSelected],
  );

  const onRemote = useCallback(
    (e: FilesChangedEvent) => {
      tree.refresh(e.paths);
      changed.add(e.paths);
      const mine = e.by === user.username;
      if (e.kind === "rename" && e.from && e.to) {
        // idempotent with our own rename (onMoved): tabs already moved have nothing left under `from`
        files.renamed(e.from, e.to, dropEditorModel, mine ? undefined : `${e.by} moved ${e.from} to ${e.to}; this tab followed it.`);
        if (selectedRef.current?.path === e.from) selectLater(fa.stat(e.to));
      } else if (e.kind === "delete") {
        // our own delete closes the tabs (onMoved); the same user in another browser tab sees them marked
        files.deletedElsewhere(e.paths[0], mine ? "you (in another tab)" : e.by);
        if (selectedRef.current && (selectedRef.current.path === e.paths[0] || selectedRef.current.path.startsWith(`${e.paths[0]}/`)))
          setSelected(null);
      } else if (e.kind === "content" || e.kind === "upload" || e.kind === "revert") {
        // a revert puts pristine bytes back: an open tab of the file is as stale as after anyone's save
        if (!mine || e.kind !== "upload") files.markChanged(e.paths, e.by, e.etag);
        refreshDetails(e.paths);
      } else refreshDetails(e.paths);
    },
    [tree, changed, files, user.username, refreshDetails, fa, selectLater, setSelected],
  );

  const openPaths = files.tabs.map((t) => t.data?.entry.path ?? t.path);
  const presence = useImagePresence({ image, fa, openFiles: openPaths, onChanged: onRemote });
  const uploads = useUploads(fa, (dir, name) => afterChange([joinPath(dir, name)]));

  const jump = async (path: string) => {
    await tree.reveal(path);
    try {
      const e = await fa.stat(path);
      setSelected(e);
      if (isDirLike(e)) tree.toggle(e.path, true);
      else files.open(e.path);
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  usePathInUrl({ selected: selected?.path, active: files.active, onInitial: (p) => void jump(p) });
  const saveAs = useCallback(
    async (path: string, to: string) => {
      const entry = await files.saveAs(path, to, dropEditorModel);
      if (entry) afterChange([entry.path]);
      return entry;
    },
    [files.saveAs, afterChange],
  );
  const close = (path: string) => {
    files.close(path);
    dropEditorModel(path);
  };

  return (
    <section className={styles.browser} data-testid="file-browser" data-live={presence.live ? "true" : "false"}>
      <FilesBreadcrumb image={image} />
      <div className="toolbar">
        <h1>Files of {image}</h1>
        <span className="muted small" data-testid="presence-users">
          {presence.users.length > 1 ? `here: ${[...new Set(presence.users.map((u) => u.username))].join(", ")}` : ""}
        </span>
        <span className="spacer" />
        <FileActions
          fa={fa}
          selected={selected}
          canEdit={canEdit}
          onChanged={afterChange}
          onMoved={(from, to) => (to ? files.renamed(from, to, dropEditorModel) : files.removed(from, dropEditorModel))}
          onError={setError}
          onUpload={(dir, list) => void uploads.add([...list].map((file) => ({ file, dir })))}
        />
      </div>
      {(error || tree.error) && (
        <p className="error" data-testid="files-error">
          {error ?? tree.error}
        </p>
      )}
      <UploadPanel up={uploads} />
      <div className={styles.columns}>
        {/* biome-ignore lint/a11y/noStaticElementInteractions: a drop zone for files dragged from the desktop; the Upload button is the keyboard's way */}
        <div
          className={styles.left}
          onDragOver={canEdit ? (e) => e.preventDefault() : undefined}
          onDrop={
            canEdit
              ? (e) => {
                  e.preventDefault();
                  const dir = selected ? (isDirLike(selected) ? selected.path : parentOf(selected.path)) : "/";
                  void uploads.add([...e.dataTransfer.files].map((file) => ({ file, dir })));
                }
              : undefined
          }
        >
          <TreeToolbar fa={fa} filter={tree.filter} setFilter={tree.setFilter} onJump={(p) => void jump(p)} />
          <div ref={treeBox} className={styles.treeWrap}>
            <FileTree
              rows={tree.rows}
              selected={selected?.path ?? null}
              changed={changed.marks}
              othersOpen={presence.othersOpen}
              height={treeHeight}
              onSelect={setSelected}
              onOpen={(e) => files.open(e.path)}
              onToggle={tree.toggle}
              onDropFiles={canEdit ? (dir, list) => void uploads.add([...list].map((file) => ({ file, dir }))) : undefined}
            />
          </div>
        </div>
        <EditorPane
          files={{ ...files, close, save, saveAs }}
          canEdit={canEdit}
          othersOpen={presence.othersOpen}
          downloadUrl={fa.downloadUrl}
        />
        <DetailsPanel
          entry={selected}
          canEdit={canEdit}
          onApply={async (c) => {
            if (!selected) return;
            const e = await fa.attributes({ path: selected.path, ...c });
            setSelected(e);
            tree.refresh([e.path]);
            changed.add([e.path]);
          }}
        />
      </div>
    </section>
  );
}
