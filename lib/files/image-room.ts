import { defineRoom } from "@/lib/realtime/define-room";
import { listPresence } from "./presence";

/**
 * `image:<name>`: `files:presence` (who has which file open) and `files:changed` (paths changed by a save or
 * another file operation, with the new etag). On join the client gets the current presence.
 */
export const imageRoom = defineRoom({
  family: "image",
  role: "viewer",
  async onJoin(socket, name) {
    socket.emit("files:presence", { users: listPresence(name) });
  },
});
