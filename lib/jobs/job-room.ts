import { getJobLog, getJobOrThrow } from "@/lib/db/jobs";
import { defineRoom } from "@/lib/realtime/define-room";
import { toWire } from "@/lib/realtime/to-wire";
import { activeJobs } from "./active-jobs";

/**
 * `job:<id>`: live `job:update` and `job:log` events. On join the client first gets the stored state and the
 * whole log (pending lines snapshotted before the database read, see JobLogWriter.pending), then the live tail.
 */
export const jobRoom = defineRoom({
  family: "job",
  role: "viewer",
  async onJoin(socket, id) {
    const pending = activeJobs.get(id)?.log.pending() ?? [];
    const job = await getJobOrThrow(id);
    const stored = await getJobLog({ jobId: id });
    const seen = new Set(stored.map((l) => l.seq));
    const lines = [...stored, ...pending.filter((l) => !seen.has(l.seq))].sort((a, b) => a.seq - b.seq);
    socket.emit("job:update", toWire(job));
    socket.emit("job:log", { id, lines: toWire(lines), replay: true });
  },
});
