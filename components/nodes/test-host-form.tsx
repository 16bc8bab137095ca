"use client";
import { type FormEvent, useState } from "react";
import { useImages } from "../hooks/use-images";
import { useNodeCommands } from "../hooks/use-nodes";

/** Defines a test host (admins): name, image, memory, kernel command line, network, boot time limit. */
export function TestHostForm({ onDone }: { onDone: () => void }) {
  const images = useImages();
  const cmd = useNodeCommands();
  const [f, setF] = useState({ name: "", image: "", memoryMb: 512, kcmdline: "", nic: "", bootTimeoutSec: 180 });
  const [error, setError] = useState<string | null>(null);
  const image = f.image || images.data?.images[0]?.imagename || "";
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      await cmd.createHost({ ...f, image, nic: f.nic || null });
      onDone();
    } catch (err) {
      setError((err as Error).message);
    }
  }
  return (
    <form className="card toolbar" style={{ marginTop: 6 }} onSubmit={submit} data-testid="test-host-form">
      <input
        placeholder="name"
        value={f.name}
        onChange={(e) => setF({ ...f, name: e.target.value })}
        data-testid="test-host-name"
        required
      />
      <select value={image} onChange={(e) => setF({ ...f, image: e.target.value })} data-testid="test-host-image">
        {(images.data?.images ?? []).map((i) => (
          <option key={i.imagename} value={i.imagename}>
            {i.imagename}
          </option>
        ))}
      </select>
      <label className="small">
        Memory (MiB){" "}
        <input
          type="number"
          min={64}
          max={16384}
          value={f.memoryMb}
          onChange={(e) => setF({ ...f, memoryMb: Number(e.target.value) })}
          style={{ width: 80 }}
        />
      </label>
      <input placeholder="extra kernel arguments" value={f.kcmdline} onChange={(e) => setF({ ...f, kcmdline: e.target.value })} />
      <label className="small">
        Network{" "}
        <select value={f.nic} onChange={(e) => setF({ ...f, nic: e.target.value })}>
          <option value="">none</option>
          <option value="user">user-mode (NAT)</option>
        </select>
      </label>
      <label className="small">
        Stamp within (s){" "}
        <input
          type="number"
          min={10}
          max={3600}
          value={f.bootTimeoutSec}
          onChange={(e) => setF({ ...f, bootTimeoutSec: Number(e.target.value) })}
          style={{ width: 70 }}
        />
      </label>
      <button type="submit" className="primary" data-testid="test-host-create">
        Create
      </button>
      <button type="button" onClick={onDone}>
        Cancel
      </button>
      {error && (
        <div className="error" style={{ width: "100%" }}>
          {error}
        </div>
      )}
    </form>
  );
}
