"use client";
import Link from "next/link";
import { useEffect, useState } from "react";
import type { DeployPlanView } from "@/lib/api/contracts/nodes";
import { formatTime } from "../format";
import { useImage, useImages } from "../hooks/use-images";
import { type DeployRequest, useNodeCommands } from "../hooks/use-nodes";
import { DeployProgress } from "./deploy-progress";

export type Selection = { testHosts: string[]; nodes: string[]; group: string };

/**
 * Deploy: pick the image and version (the live one by default), the nodes (picked in the tables above, or a
 * group), see exactly what will run, confirm, then watch each node.
 */
export function DeployPanel({
  backend,
  selection,
  groups,
  initialImage,
  initialVersion,
  onStarted,
}: {
  backend: "xcat" | "local";
  selection: Selection;
  groups: string[];
  initialImage?: string;
  initialVersion?: number;
  onStarted: () => void;
}) {
  const [image, setImage] = useState(initialImage ?? "");
  const [version, setVersion] = useState<number | "live">(initialVersion ?? "live");
  const [group, setGroup] = useState(selection.group);
  const [power, setPower] = useState<"boot" | "reset" | "on" | "ssh-reboot">("boot");
  const [plan, setPlan] = useState<DeployPlanView | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const images = useImages();
  const detail = useImage(image);
  const cmd = useNodeCommands();
  useEffect(() => {
    if (!image && images.data?.images.length) setImage(images.data.images[0].imagename);
  }, [image, images.data]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a plan is for one choice: any change of the form drops it
  useEffect(() => setPlan(null), [image, version, group, power, selection.testHosts.join(), selection.nodes.join()]);

  const request: DeployRequest = {
    image,
    ...(version === "live" ? {} : { versionSeq: version }),
    testHosts: selection.testHosts,
    nodes: selection.nodes,
    ...(group ? { group } : {}),
    power,
  };

  async function check() {
    setBusy(true);
    setError(null);
    try {
      setPlan(await cmd.deployPlan(request));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }
  async function start() {
    setBusy(true);
    setError(null);
    try {
      const r = await cmd.deployStart(request);
      setJobId(r.jobId);
      setPlan(null);
      onStarted();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const picked = selection.testHosts.length + selection.nodes.length;
  return (
    <div className="card" style={{ marginTop: 12 }} data-testid="deploy-panel">
      <h2 style={{ marginTop: 0 }}>Deploy</h2>
      <div className="toolbar">
        <label className="small">
          Image{" "}
          <select
            value={image}
            onChange={(e) => {
              setImage(e.target.value);
              setVersion("live");
            }}
            data-testid="deploy-image"
          >
            {(images.data?.images ?? []).map((i) => (
              <option key={i.imagename} value={i.imagename}>
                {i.imagename}
              </option>
            ))}
          </select>
        </label>
        <label className="small">
          Version{" "}
          <select
            value={String(version)}
            onChange={(e) => setVersion(e.target.value === "live" ? "live" : Number(e.target.value))}
            data-testid="deploy-version"
          >
            <option value="live">live version</option>
            {(detail.data?.versions ?? []).map((v) => (
              <option key={v.seq} value={v.seq}>
                #{v.seq}
                {v.live ? " (live)" : ""} · {formatTime(v.packedAt)}
              </option>
            ))}
          </select>
        </label>
        {backend === "xcat" && (
          <>
            <label className="small">
              or group{" "}
              <select value={group} onChange={(e) => setGroup(e.target.value)} data-testid="deploy-group">
                <option value="">—</option>
                {groups.map((g) => (
                  <option key={g} value={g}>
                    {g}
                  </option>
                ))}
              </select>
            </label>
            <label className="small">
              xCAT nodes restart with{" "}
              <select value={power} onChange={(e) => setPower(e.target.value as typeof power)} data-testid="deploy-power">
                <option value="boot">rpower boot (on if off, reset if on)</option>
                <option value="reset">rpower reset</option>
                <option value="on">rpower on</option>
                <option value="ssh-reboot">ssh NODE reboot</option>
              </select>
            </label>
          </>
        )}
        <span className="muted small" data-testid="deploy-picked">
          {picked} node{picked === 1 ? "" : "s"} picked{group ? ` + group ${group}` : ""}
        </span>
        <span className="spacer" />
        <button
          type="button"
          className="primary"
          disabled={busy || !image || (!picked && !group)}
          onClick={check}
          data-testid="deploy-check"
        >
          Deploy…
        </button>
      </div>
      {error && (
        <div className="error" data-testid="deploy-error">
          {error}
        </div>
      )}
      {plan && (
        <div className="card" data-testid="deploy-confirm" style={{ background: "#fffbea" }}>
          <dl className="facts">
            <dt>Image</dt>
            <dd data-testid="confirm-image">{plan.image}</dd>
            <dt>Version</dt>
            <dd data-testid="confirm-version">
              #{plan.seq}, packed {formatTime(plan.packedAt)}
              {plan.changeId && (
                <>
                  {" "}
                  from{" "}
                  <Link href={`/requests/${plan.changeId}`} data-testid="confirm-request">
                    change request #{plan.changeId}
                  </Link>
                </>
              )}
            </dd>
            <dt>Stamp</dt>
            <dd className="mono" data-testid="confirm-stamp">
              {plan.stampUuid ?? "none (packed without a stamp: it cannot be verified)"}
            </dd>
            <dt>Nodes</dt>
            <dd data-testid="confirm-nodes">
              {plan.targets.map((t) => `${t.name}${t.kind === "testhost" ? " (test host)" : ""}`).join(", ")}
            </dd>
            {plan.targets.some((t) => t.kind === "xcat") && (
              <>
                <dt>Runs</dt>
                <dd className="mono small">
                  nodeset{" "}
                  {plan.targets
                    .filter((t) => t.kind === "xcat")
                    .map((t) => t.name)
                    .join(",")}{" "}
                  osimage={plan.image}; {plan.power === "ssh-reboot" ? "ssh NODE reboot" : `rpower … ${plan.power}`}
                </dd>
              </>
            )}
          </dl>
          <button type="button" className="primary" disabled={busy} onClick={start} data-testid="deploy-confirm-button">
            Deploy to {plan.targets.length} node{plan.targets.length === 1 ? "" : "s"}
          </button>{" "}
          <button type="button" onClick={() => setPlan(null)}>
            Cancel
          </button>
        </div>
      )}
      {jobId && (
        <div data-testid="deploy-job" data-job={jobId}>
          <p className="small">
            Job <Link href={`/jobs/${jobId}`}>{jobId}</Link>
          </p>
          <DeployProgress jobId={jobId} />
        </div>
      )}
    </div>
  );
}
