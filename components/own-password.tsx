"use client";
import { type FormEvent, useState } from "react";
import { useCurrentUser } from "./current-user";
import { sessionCommands } from "./hooks/use-session";
import { PasswordFields, passwordsValid } from "./password-fields";

/** "Change my password": the current one, the new one twice, a strength hint. */
export function OwnPassword() {
  const me = useCurrentUser();
  const [current, setCurrent] = useState("");
  const [pw, setPw] = useState({ value: "", repeat: "" });
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!passwordsValid(pw.value, pw.repeat) || busy) return;
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await sessionCommands.changeOwnPassword(current, pw.value);
      setNotice("Your password was changed. Your other sessions were signed out; this one stays signed in.");
      setCurrent("");
      setPw({ value: "", repeat: "" });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section>
      <div className="toolbar">
        <h1>My password</h1>
        <span className="muted">signed in as {me.username}</span>
      </div>
      <form className="card password-form" onSubmit={submit} data-testid="own-password-form">
        <input type="text" autoComplete="username" value={me.username} readOnly hidden />
        <label className="small">
          Current password{" "}
          <input
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
            required
            data-testid="own-password-current"
          />
        </label>
        <PasswordFields
          value={pw.value}
          repeat={pw.repeat}
          onChange={(value, repeat) => setPw({ value, repeat })}
          idPrefix="own-password"
        />
        <div>
          <button
            type="submit"
            className="primary"
            disabled={busy || !current || !passwordsValid(pw.value, pw.repeat)}
            data-testid="own-password-submit"
          >
            {busy ? "Changing…" : "Change password"}
          </button>
        </div>
      </form>
      {notice && (
        <div className="notice" data-testid="own-password-notice">
          {notice}
        </div>
      )}
      {error && (
        <div className="error" data-testid="own-password-error">
          {error}
        </div>
      )}
    </section>
  );
}
