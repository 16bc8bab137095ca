"use client";
import { useState } from "react";
import { hasControlChars, visibleName } from "../visible-name";
import styles from "./files.module.css";

/** Inline form for a name (and optionally a link target); Enter confirms, Escape cancels. */
export function NamePrompt(p: {
  label: string;
  initial: string;
  withTarget?: boolean;
  onOk: (value: string, target?: string) => void;
  onCancel: () => void;
}) {
  const [value, setValue] = useState(p.initial);
  const [target, setTarget] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  function submit() {
    // A pasted newline or tab would make a name that prints like another one; such files can still be
    // uploaded or come with the image, but they are not created here by typing.
    if (hasControlChars(value) || (p.withTarget && hasControlChars(target))) {
      setProblem(`"${visibleName(value.trim())}" contains a control character (newline, tab, ...): use a name without one.`);
      return;
    }
    setProblem(null);
    if (value.trim()) p.onOk(value.trim(), p.withTarget ? target : undefined);
  }
  return (
    <form
      className={styles.prompt}
      data-testid="name-prompt"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label>
        {p.label}{" "}
        <input
          // biome-ignore lint/a11y/noAutofocus: the prompt opens on the user's click to be typed into
          autoFocus
          value={value}
          onChange={(e) => setValue(e.target.value)}
          onKeyDown={(e) => e.key === "Escape" && p.onCancel()}
          data-testid="prompt-input"
          size={36}
        />
      </label>
      {p.withTarget && (
        <label>
          target <input value={target} onChange={(e) => setTarget(e.target.value)} data-testid="prompt-target" size={30} />
        </label>
      )}
      <button type="submit" data-testid="prompt-ok">
        OK
      </button>
      <button type="button" onClick={p.onCancel}>
        Cancel
      </button>
      {problem && (
        <span className="error small" role="alert" data-testid="prompt-error">
          {problem}
        </span>
      )}
    </form>
  );
}
