import { AppError } from "@/lib/errors";

/** Why the runner refused or failed; `kind` lets tests and the UI tell the cases apart. */
export type ChrootErrorKind = "no-shell" | "foreign-arch" | "overlay" | "apply" | "spawn";

export class ChrootError extends AppError {
  constructor(
    readonly kind: ChrootErrorKind,
    message: string,
  ) {
    super(kind === "apply" ? "conflict" : kind === "spawn" || kind === "overlay" ? "unavailable" : "unprocessable", message, {
      details: { reason: kind },
    });
    this.name = "ChrootError";
  }
}
