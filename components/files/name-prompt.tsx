"use client";
import { useState } from "react";
import styles from "./files.module.css";

/** Inline form for a name (and optionally a link target); Enter confirms, Escape cancels. */
export function NamePrompt(p: { label: string; initial: string; withTarget?: boolean; onOk: (value: string, target?: string) => void; onCancel: () => void }) {
  const [value, setValue] = useState(p.initial);
  const [target, setTarget] = useState("");
  return (
    <form className={styles.prompt} data-testid="name-prompt" onSubmit={(e) => { e.preventDefault(); if (value.trim()) p.onOk(value.trim(), p.withTarget ? target : undefined); }}>
      <label>
        {p.label}{" "}
        <input autoFocus value={value} onChange={(e) => setValue(e.target.value)} onKeyDown={(e) => e.key === "Escape" && p.onCancel()} data-testid="prompt-input" size={36} />
      </label>
      {p.withTarget && (
        <label>
          target <input value={target} onChange={(e) => setTarget(e.target.value)} data-testid="prompt-target" size={30} />
        </label>
      )}
      <button type="submit" data-testid="prompt-ok">OK</button>
      <button type="button" onClick={p.onCancel}>Cancel</button>
    </form>
  );
}
