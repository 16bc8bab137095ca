"use client";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { type Role, useCurrentUser } from "./current-user";
import { useUserCommands, useUsers } from "./hooks/use-users";
import { PasswordFields, passwordsValid } from "./password-fields";

const ROLES: Role[] = ["viewer", "editor", "reviewer", "admin"];

export function UsersAdmin() {
  const me = useCurrentUser();
  const cmd = useUserCommands();
  const [notice, setNotice] = useState<string | null>(null);
  // The admin's reset: typed twice in password fields (never shown in clear text), for one user at a time.
  const [resetFor, setResetFor] = useState<string | null>(null);
  const [resetPw, setResetPw] = useState({ value: "", repeat: "" });
  const users = useUsers();
  const done = (msg: string) => setNotice(msg);
  const create = useMutation({
    mutationFn: cmd.create,
    onSuccess: (u) => done(`Created ${u.username}.`),
  });
  const update = useMutation({
    mutationFn: ({ id, ...b }: { id: string; role?: Role; disabled?: boolean }) => cmd.update(id, b),
    onSuccess: (u) => done(`Updated ${u.username}.`),
  });
  const reset = useMutation({
    mutationFn: ({ id, password }: { id: string; password: string; name: string }) => cmd.setPassword(id, password),
    onSuccess: (_r, v) => {
      setResetFor(null);
      setResetPw({ value: "", repeat: "" });
      done(`New password set for ${v.name}; their sessions were signed out.`);
    },
  });
  const error = [users.error, create.error, update.error, reset.error].find(Boolean) as Error | undefined;

  function submitCreate(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    create.mutate({ username: String(f.get("username")), password: String(f.get("password")), role: f.get("role") as Role });
    e.currentTarget.reset();
  }

  return (
    <section>
      <div className="toolbar">
        <h1>Users</h1>
      </div>
      <form className="toolbar card" onSubmit={submitCreate} data-testid="user-create-form">
        <input name="username" placeholder="user name" required data-testid="user-new-name" />
        <input name="password" type="password" placeholder="password (8+ chars)" required minLength={8} data-testid="user-new-password" />
        <select name="role" defaultValue="viewer" data-testid="user-new-role" aria-label="role">
          {ROLES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
        <button type="submit" className="primary" data-testid="user-create">
          Create user
        </button>
      </form>
      {notice && !error && (
        <div className="notice" data-testid="users-notice">
          {notice}
        </div>
      )}
      {error && (
        <div className="error" data-testid="users-error">
          {error.message}
        </div>
      )}
      <table className="table" data-testid="users-table">
        <thead>
          <tr>
            <th>User</th>
            <th>Role</th>
            <th>Status</th>
            <th>Password</th>
          </tr>
        </thead>
        <tbody>
          {users.data?.users.map((u) => (
            <tr key={u.id} data-testid={`user-row-${u.username}`}>
              <td>
                {u.username}
                {u.id === me.id ? " (you)" : ""}
              </td>
              <td>
                <select
                  value={u.role}
                  onChange={(e) => update.mutate({ id: u.id, role: e.target.value as Role })}
                  data-testid="user-role"
                  aria-label={`role of ${u.username}`}
                >
                  {ROLES.map((r) => (
                    <option key={r}>{r}</option>
                  ))}
                </select>
              </td>
              <td>
                <button
                  type="button"
                  className="small"
                  onClick={() => update.mutate({ id: u.id, disabled: !u.disabled })}
                  data-testid="user-toggle-disabled"
                >
                  {u.disabled ? "Enable" : "Disable"}
                </button>
                {u.disabled && (
                  <span className="badge state-failed" data-testid="user-disabled">
                    {" "}
                    disabled
                  </span>
                )}
              </td>
              <td>
                {resetFor === u.id ? (
                  <form
                    className="reset-dialog"
                    data-testid="reset-dialog"
                    aria-label={`new password for ${u.username}`}
                    onSubmit={(e) => {
                      e.preventDefault();
                      if (passwordsValid(resetPw.value, resetPw.repeat))
                        reset.mutate({ id: u.id, password: resetPw.value, name: u.username });
                    }}
                  >
                    <PasswordFields
                      value={resetPw.value}
                      repeat={resetPw.repeat}
                      onChange={(value, repeat) => setResetPw({ value, repeat })}
                      idPrefix="reset-password"
                    />
                    <button
                      type="submit"
                      className="primary small"
                      disabled={reset.isPending || !passwordsValid(resetPw.value, resetPw.repeat)}
                      data-testid="reset-password-submit"
                    >
                      Set password
                    </button>
                    <button type="button" className="small" onClick={() => setResetFor(null)}>
                      Cancel
                    </button>
                  </form>
                ) : (
                  <button
                    type="button"
                    className="small"
                    data-testid="user-reset-password"
                    onClick={() => {
                      setResetPw({ value: "", repeat: "" });
                      setResetFor(u.id);
                    }}
                  >
                    Reset…
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
