"use client";
import { passwordStrength } from "./password-strength";

/** New password typed twice, with a strength hint; `valid` when both match and the length rule is met. */
export function PasswordFields(p: { value: string; repeat: string; onChange: (value: string, repeat: string) => void; idPrefix: string }) {
  const s = passwordStrength(p.value);
  const mismatch = p.repeat.length > 0 && p.repeat !== p.value;
  return (
    <>
      <label className="small">
        New password{" "}
        <input
          type="password"
          autoComplete="new-password"
          value={p.value}
          onChange={(e) => p.onChange(e.target.value, p.repeat)}
          data-testid={`${p.idPrefix}-new`}
        />
      </label>
      <label className="small">
        again{" "}
        <input
          type="password"
          autoComplete="new-password"
          value={p.repeat}
          onChange={(e) => p.onChange(p.value, e.target.value)}
          data-testid={`${p.idPrefix}-repeat`}
        />
      </label>
      {p.value && (
        <span className={`small strength-${s.level.replace(" ", "-")}`} data-testid={`${p.idPrefix}-strength`}>
          {s.level}: {s.hint}
        </span>
      )}
      {mismatch && (
        <span className="small error-text" data-testid={`${p.idPrefix}-mismatch`}>
          the two do not match
        </span>
      )}
    </>
  );
}

export function passwordsValid(value: string, repeat: string): boolean {
  return value.length >= 8 && value === repeat;
}
