"use client";
import Link from "next/link";
import type { MouseEvent } from "react";
import styles from "./files.module.css";

/**
 * "Images / <name> / Files": the way back to the image page. Plain links (Tab + Enter work). A client-side
 * navigation does not fire `beforeunload`, so unsaved editor changes are guarded here with a confirm.
 */
export function FilesBreadcrumb(p: { image: string; unsaved: boolean }) {
  const guard = (e: MouseEvent) => {
    if (p.unsaved && !window.confirm("Some open files have unsaved changes. Leave the editor and lose them?")) e.preventDefault();
  };
  return (
    <nav aria-label="Breadcrumb" className={styles.crumbs} data-testid="files-breadcrumb">
      <Link href="/images" onClick={guard}>Images</Link>
      <span aria-hidden="true">/</span>
      <Link href={`/images/${encodeURIComponent(p.image)}`} onClick={guard} data-testid="crumb-image">{p.image}</Link>
      <span aria-hidden="true">/</span>
      <span aria-current="page">Files</span>
    </nav>
  );
}
