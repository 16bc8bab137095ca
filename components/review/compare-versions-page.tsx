"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useVersions } from "../hooks/use-images";
import { VersionCompare } from "./version-compare";

/** Pick two kept versions of an image and compare them. */
export function CompareVersionsPage({ image, from, to }: { image: string; from?: number; to?: number }) {
  const router = useRouter();
  const { data: versions = [] } = useVersions(image);
  const seqs = versions.map((v) => v.seq).sort((a, b) => a - b);
  const a = from ?? seqs.at(-2);
  const b = to ?? seqs.at(-1);
  const go = (f?: number, t?: number) => router.replace(`/images/${encodeURIComponent(image)}/compare?from=${f ?? ""}&to=${t ?? ""}`);
  const pick = (label: string, value: number | undefined, set: (v: number) => void, testid: string) => (
    <label>
      {label}{" "}
      <select value={value ?? ""} onChange={(e) => set(Number(e.target.value))} data-testid={testid}>
        {seqs.map((s) => (
          <option key={s} value={s}>
            version {s}
            {versions.find((v) => v.seq === s)?.live ? " (live)" : ""}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <section>
      <div className="toolbar">
        <h1>
          Compare versions of <Link href={`/images/${encodeURIComponent(image)}`}>{image}</Link>
        </h1>
      </div>
      {seqs.length < 2 ? (
        <p className="muted">Fewer than two versions are kept: nothing to compare.</p>
      ) : (
        <>
          <div className="toolbar">
            {pick("From", a, (v) => go(v, b), "compare-from")} {pick("to", b, (v) => go(a, v), "compare-to")}
          </div>
          {a !== undefined && b !== undefined && <VersionCompare image={image} from={a} to={b} />}
        </>
      )}
    </section>
  );
}
