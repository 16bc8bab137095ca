"use client";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { sessionCommands } from "./hooks/use-session";

export function LoginForm() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await sessionCommands.login(String(form.get("username") ?? ""), String(form.get("password") ?? ""));
      router.replace("/images");
      router.refresh();
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  }
  return (
    <form className="login card" onSubmit={submit} data-testid="login-form">
      <h1>Rootimg Studio</h1>
      <label>
        User
        {/* biome-ignore lint/a11y/noAutofocus: the page exists to type the user name into */}
        <input name="username" autoComplete="username" required autoFocus data-testid="login-username" />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required data-testid="login-password" />
      </label>
      {error && (
        <div className="error" role="alert" data-testid="login-error">
          {error}
        </div>
      )}
      <button type="submit" className="primary" disabled={busy} data-testid="login-submit">
        {busy ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
