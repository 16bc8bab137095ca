import { defineRoom } from "@/lib/realtime/define-room";
import { readConsole } from "./test-host-runner";
import { getTestHost } from "./test-hosts";

/**
 * `console:<test host>`: the serial console, `console:reset` at each power on then `console:data` chunks.
 * On join the whole history of the current (or last) power-on is sent first, as one reset.
 */
export const consoleRoom = defineRoom({
  family: "console",
  role: "viewer",
  async onJoin(socket, name) {
    await getTestHost(name);
    socket.emit("console:reset", { name, data: readConsole(name) });
  },
});

/** `nodes`: `testhost:status` whenever a test host's status changes. */
export const nodesRoom = defineRoom({ family: "nodes", role: "viewer" });
