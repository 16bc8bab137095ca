/**
 * Browser-side calls to the dashboard's own API. Every failed response becomes an ApiError through one
 * parser (apiErrorOf) of the server's error body `{ error: { code, message, ...details } }`; the UI branches
 * on `code` and `details`, and shows `message` as it is.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** the server's AppError code (`conflict`, `not_found`, …), or `error` when the body had none */
    readonly code: string,
    message: string,
    /** the error body's other fields, e.g. `{ reason: "image-busy", jobId }` or `{ treeExists: true }` */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The one parser of an error response's body (already read as JSON, or null when it was not JSON). */
export function apiErrorOf(status: number, statusText: string, body: unknown): ApiError {
  const err =
    body && typeof body === "object" && "error" in body && body.error && typeof body.error === "object"
      ? (body.error as Record<string, unknown>)
      : {};
  const { code, message, ...details } = err;
  return new ApiError(
    status,
    typeof code === "string" ? code : "error",
    typeof message === "string" ? message : `${status} ${statusText}`.trim(),
    details,
  );
}

export const isApiError = (e: unknown, code?: string): e is ApiError => e instanceof ApiError && (code === undefined || e.code === code);

export type ApiInit = {
  method?: string;
  /** sent as JSON */
  body?: unknown;
  /** sent as it is (a file), with `headers` naming its type */
  raw?: BodyInit;
  headers?: Record<string, string>;
};

export async function api<T = unknown>(path: string, init?: ApiInit): Promise<T> {
  const json = init?.body !== undefined;
  const res = await fetch(path, {
    method: init?.method ?? "GET",
    headers: { ...(json ? { "content-type": "application/json" } : {}), ...init?.headers },
    body: json ? JSON.stringify(init.body) : init?.raw,
    credentials: "same-origin",
  });
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => null);
  if (!res.ok) throw apiErrorOf(res.status, res.statusText, data);
  return data as T;
}

/** Builds a query string from the defined values. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") sp.set(k, String(v));
  const s = sp.toString();
  return s ? `?${s}` : "";
}
