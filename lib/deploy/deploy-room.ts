import { getJobOrThrow } from "@/lib/db/jobs";
import { defineRoom } from "@/lib/realtime/define-room";
import { listDeployTargets } from "./start-deploy";

/** `deploy:<job id>`: `deploy:target` per node move; on join, every node's stored state first. */
export const deployRoom = defineRoom({
  family: "deploy",
  role: "viewer",
  async onJoin(socket, jobId) {
    await getJobOrThrow(jobId);
    for (const t of await listDeployTargets(jobId)) socket.emit("deploy:target", { jobId, ...t });
  },
});
