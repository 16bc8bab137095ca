"use client";
import { useState } from "react";
import { roleAtLeast, useCurrentUser } from "../current-user";
import { formatTime } from "../format";
import { type PowerResults, useNodeCommands, useNodes } from "../hooks/use-nodes";
import { DeployPanel } from "./deploy-panel";
import { TestHostConsole } from "./test-host-console";
import { TestHostForm } from "./test-host-form";

const STATUS_BADGE: Record<string, string> = { booting: "state-running", booted: "state-succeeded", failed: "state-failed", off: "" };

/** Nodes: test hosts (QEMU), xCAT's nodes and groups, single power actions, deploy, and a test host's console. */
export function NodesPage({ initialImage, initialVersion }: { initialImage?: string; initialVersion?: number }) {
  const user = useCurrentUser();
  const q = useNodes();
  const cmd = useNodeCommands();
  const [pickedHosts, setPickedHosts] = useState<Set<string>>(new Set());
  const [pickedNodes, setPickedNodes] = useState<Set<string>>(new Set());
  const [consoleHost, setConsoleHost] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [results, setResults] = useState<PowerResults | null>(null);
  const toggle = (set: Set<string>, setter: (s: Set<string>) => void, name: string) => {
    const next = new Set(set);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    setter(next);
  };

  async function hostPower(name: string, action: "on" | "off" | "reset") {
    setError(null);
    try {
      await cmd.hostPower(name, action);
      if (action !== "off") setConsoleHost(name);
    } catch (e) {
      setError((e as Error).message);
    }
  }
  async function deleteHost(name: string) {
    setError(null);
    try {
      await cmd.deleteHost(name);
    } catch (e) {
      setError((e as Error).message);
    }
  }
  async function nodesPower(action: string) {
    setError(null);
    setResults(null);
    try {
      setResults(await cmd.nodesPower([...pickedNodes], action));
    } catch (e) {
      setError((e as Error).message);
    }
  }

  const d = q.data;
  return (
    <section data-testid="nodes-page">
      <div className="toolbar">
        <h1>Nodes</h1>
        {d && (
          <span className="badge" data-testid="nodes-backend">
            {d.backend === "xcat" ? "xCAT backend" : "local backend"}
          </span>
        )}
        <span className="spacer" />
        {d && <span className="muted small">at most {d.settings.maxNodes} nodes per deploy</span>}
      </div>
      {q.error && <div className="error">{(q.error as Error).message}</div>}
      {error && (
        <div className="error" data-testid="nodes-error">
          {error}
        </div>
      )}

      <h2>
        Test hosts <span className="muted small">QEMU machines that boot an image like a diskless node</span>
      </h2>
      <table className="table" data-testid="test-hosts">
        <thead>
          <tr>
            <th />
            <th>Name</th>
            <th>Image</th>
            <th>Version</th>
            <th>Memory</th>
            <th>Status</th>
            <th>Booted stamp</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(d?.testHosts ?? []).map((h) => (
            <tr key={h.name} data-testid="test-host-row" data-host={h.name} data-status={h.status}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`pick ${h.name}`}
                  checked={pickedHosts.has(h.name)}
                  onChange={() => toggle(pickedHosts, setPickedHosts, h.name)}
                  data-testid="pick-test-host"
                />
              </td>
              <td>{h.name}</td>
              <td className="small">{h.image}</td>
              <td>{h.versionSeq != null ? `#${h.versionSeq}` : <span className="muted">live</span>}</td>
              <td>{h.memoryMb} MiB</td>
              <td>
                <span className={`badge ${STATUS_BADGE[h.status] ?? ""}`} data-testid="test-host-status">
                  {h.status}
                </span>
                {h.deployingJob && <span className="badge state-running"> deploying</span>}
                <div className="muted small">{formatTime(h.statusAt)}</div>
                {h.message && h.status === "failed" && <div className="error small">{h.message}</div>}
              </td>
              <td className="mono small">{h.bootedUuid ?? "–"}</td>
              <td className="nowrap">
                {roleAtLeast(user, "editor") && (
                  <>
                    <button
                      type="button"
                      className="small"
                      onClick={() => hostPower(h.name, h.status === "booting" || h.status === "booted" ? "reset" : "on")}
                      data-testid="host-power-on"
                    >
                      {h.status === "booting" || h.status === "booted" ? "Reset" : "Power on"}
                    </button>{" "}
                    <button type="button" className="small" onClick={() => hostPower(h.name, "off")} data-testid="host-power-off">
                      Off
                    </button>{" "}
                  </>
                )}
                <button type="button" className="small" onClick={() => setConsoleHost(h.name)} data-testid="host-console">
                  Console
                </button>{" "}
                {roleAtLeast(user, "admin") && (
                  <button type="button" className="small danger" onClick={() => deleteHost(h.name)}>
                    Delete
                  </button>
                )}
              </td>
            </tr>
          ))}
          {d && d.testHosts.length === 0 && (
            <tr>
              <td colSpan={8} className="muted">
                No test hosts yet{roleAtLeast(user, "admin") ? ": add one below." : "."}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {roleAtLeast(user, "admin") &&
        (adding ? (
          <TestHostForm onDone={() => setAdding(false)} />
        ) : (
          <button type="button" className="small" style={{ marginTop: 6 }} onClick={() => setAdding(true)} data-testid="add-test-host">
            Add test host
          </button>
        ))}

      {d?.xcat && (
        <>
          <h2>xCAT nodes</h2>
          {d.xcat.error && <div className="error">{d.xcat.error}</div>}
          <table className="table" data-testid="xcat-nodes">
            <thead>
              <tr>
                <th />
                <th>Node</th>
                <th>Arch</th>
                <th>Groups</th>
                <th>currstate (nodeset)</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {d.xcat.nodes.map((n) => (
                <tr key={n.name} data-testid="xcat-node-row" data-node={n.name}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`pick ${n.name}`}
                      disabled={!roleAtLeast(user, "reviewer")}
                      checked={pickedNodes.has(n.name)}
                      onChange={() => toggle(pickedNodes, setPickedNodes, n.name)}
                      data-testid="pick-node"
                    />
                  </td>
                  <td>
                    {n.name}
                    {n.deployingJob && <span className="badge state-running"> deploying</span>}
                  </td>
                  <td>{n.arch ?? "–"}</td>
                  <td className="small">{n.groups.join(", ")}</td>
                  <td className="mono small" data-testid="node-currstate">
                    {n.currstate ?? "–"}
                    {n.provmethod && <div className="muted">{n.provmethod}</div>}
                  </td>
                  <td className="small">
                    {n.status ?? "–"}
                    {n.statustime && <div className="muted">{n.statustime}</div>}
                  </td>
                </tr>
              ))}
              {d.xcat.nodes.length === 0 && (
                <tr>
                  <td colSpan={6} className="muted">
                    xCAT has no nodes defined (lsdef -t node).
                  </td>
                </tr>
              )}
            </tbody>
          </table>
          {roleAtLeast(user, "reviewer") && (
            <div className="toolbar" style={{ marginTop: 6 }}>
              <span className="small muted">{pickedNodes.size} picked:</span>
              {(["stat", "on", "off", "reset", "boot", "ssh-reboot"] as const).map((a) => (
                <button
                  key={a}
                  type="button"
                  className="small"
                  disabled={!pickedNodes.size}
                  onClick={() => nodesPower(a)}
                  data-testid={`nodes-power-${a}`}
                >
                  {a === "ssh-reboot" ? "ssh reboot" : `rpower ${a}`}
                </button>
              ))}
            </div>
          )}
          {results && (
            <div className="card" data-testid="power-results">
              <div className="mono small">$ {results.command}</div>
              {results.results.map((r) => (
                <div key={r.node} className={r.ok ? "small" : "error small"} data-testid="power-result" data-node={r.node} data-ok={r.ok}>
                  {r.node}: {r.ok ? r.text : r.error}
                </div>
              ))}
            </div>
          )}
        </>
      )}

      {d && roleAtLeast(user, "editor") && (
        <DeployPanel
          backend={d.backend}
          groups={d.xcat?.groups ?? []}
          selection={{ testHosts: [...pickedHosts], nodes: [...pickedNodes], group: "" }}
          initialImage={initialImage}
          initialVersion={initialVersion}
          onStarted={() => {
            if (pickedHosts.size === 1) setConsoleHost([...pickedHosts][0]);
          }}
        />
      )}
      {consoleHost && <TestHostConsole key={consoleHost} host={consoleHost} onClose={() => setConsoleHost(null)} />}
    </section>
  );
}
