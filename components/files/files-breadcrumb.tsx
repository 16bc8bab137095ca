"use client";
import { GuardedLink } from "../guarded-link";
import styles from "./files.module.css";

/**
 * "Images / <name> / Files": the way back to the image page. Plain links (Tab + Enter work), guarded like the
 * app nav: unsaved editor changes are asked about first (a client-side navigation fires no `beforeunload`).
 */
export function FilesBreadcrumb(p: { image: string }) {
  return (
    <nav aria-label="Breadcrumb" className={styles.crumbs} data-testid="files-breadcrumb">
      <GuardedLink href="/images">Images</GuardedLink>
      <span aria-hidden="true">/</span>
      <GuardedLink href={`/images/${encodeURIComponent(p.image)}`} data-testid="crumb-image">
        {p.image}
      </GuardedLink>
      <span aria-hidden="true">/</span>
      <span aria-current="page">Files</span>
    </nav>
  );
}
