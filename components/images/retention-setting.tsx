"use client";
import { useMutation } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useImageCommands, useImageSettings } from "../hooks/use-images";

/** Admins: how many published archives are kept per image (older ones are removed at the next pack). */
export function RetentionSetting() {
  const q = useImageSettings();
  const cmd = useImageCommands();
  const [value, setValue] = useState("");
  useEffect(() => {
    if (q.data) setValue(String(q.data.retention));
  }, [q.data]);
  const save = useMutation({ mutationFn: (n: number) => cmd.setRetention(n) });
  return (
    <div className="card" data-testid="retention-setting">
      <h2>Versions kept per image</h2>
      <input type="number" min={1} max={100} value={value} onChange={(e) => setValue(e.target.value)} data-testid="retention-input" />{" "}
      <button type="button" onClick={() => save.mutate(Number(value))} disabled={save.isPending} data-testid="retention-save">
        Save
      </button>
      {save.isSuccess && <span className="notice small"> saved</span>}
      {save.error && <div className="error">{(save.error as Error).message}</div>}
    </div>
  );
}
