"use client";
import { useEffect, useRef, useState } from "react";
import styles from "./files.module.css";
import type { FileContentDto } from "./files-api";
import { formatSize } from "./files-api";

/** Read-only view of a file that is not text or is too large for the editor. */
export function BinaryView({ file, downloadUrl }: { file: FileContentDto; downloadUrl: string }) {
  const box = useRef<HTMLDivElement>(null);
  const probe = useRef<HTMLSpanElement>(null);
  const [perRow, setPerRow] = useState(16);
  useEffect(() => {
    // 16 bytes a row need 78 columns; a narrower panel (1280 px screen, tree and details open) gets 8
    const el = box.current;
    if (!el) return;
    const fitColumns = () => {
      const ch = (probe.current?.offsetWidth ?? 75) / 10 || 7.5;
      setPerRow(el.clientWidth - 40 >= 78 * ch ? 16 : 8);
    };
    fitColumns();
    const ro = new ResizeObserver(fitColumns);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return (
    <div ref={box} className={styles.binary} data-testid="binary-view">
      <p>
        {file.tooLarge ? "This file is too large for the editor" : "This file is not text"} ({formatSize(file.entry.size)},{" "}
        {file.entry.symbolic}).{" "}
        <a href={downloadUrl} download data-testid="binary-download">
          Download
        </a>
      </p>
      <pre className={styles.hex} data-testid="hex-preview" data-per-row={perRow}>
        {file.hex ? regroupHex(file.hex, perRow) : ""}
      </pre>
      <span ref={probe} className={`${styles.hex} ${styles.probe}`} aria-hidden="true">
        0123456789
      </span>
    </div>
  );
}

/** Re-lays the server's 16-bytes-a-row hexdump (`offset  hex  hex  |ascii|`) with `perRow` bytes a row. */
function regroupHex(hex: string, perRow: number): string {
  if (perRow === 16) return hex;
  const bytes: number[] = [];
  for (const line of hex.split("\n")) {
    const bar = line.indexOf("|");
    const pairs = (bar < 0 ? line.slice(10) : line.slice(10, bar)).trim().split(/\s+/).filter(Boolean);
    for (const p of pairs) bytes.push(Number.parseInt(p, 16));
  }
  const out: string[] = [];
  for (let off = 0; off < bytes.length; off += perRow) {
    const row = bytes.slice(off, off + perRow);
    const cols = row
      .map((b) => b.toString(16).padStart(2, "0"))
      .join(" ")
      .padEnd(perRow * 3 - 1);
    const ascii = row.map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".")).join("");
    out.push(`${off.toString(16).padStart(8, "0")}  ${cols}  |${ascii}|`);
  }
  return out.join("\n");
}
