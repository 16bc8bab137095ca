/** A hint, not a rule (the server's only rule is 8+ characters): length and variety make a password hard to guess. */
export function passwordStrength(p: string): { level: "too short" | "weak" | "fair" | "strong"; hint: string } {
  if (p.length < 8) return { level: "too short", hint: "at least 8 characters" };
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(p)).length;
  const score = (p.length >= 12 ? 1 : 0) + (p.length >= 16 ? 1 : 0) + (classes >= 3 ? 1 : 0) + (/(.)\1\1/.test(p) ? -1 : 0);
  if (score >= 2) return { level: "strong", hint: "good" };
  if (score === 1) return { level: "fair", hint: "longer (16+) or with digits and symbols is better" };
  return { level: "weak", hint: "use 12+ characters mixing letters, digits and symbols, or a passphrase of several words" };
}
