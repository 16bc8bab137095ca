import { shellRoom } from "@/lib/commands/shell-room";
import { deployRoom } from "@/lib/deploy/deploy-room";
import { imageRoom } from "@/lib/files/image-room";
import { jobRoom } from "@/lib/jobs/job-room";
import { consoleRoom, nodesRoom } from "@/lib/nodes/node-rooms";
import { defineRoom, type RoomDefinition } from "./define-room";
import type { RoomFamily } from "./events";

/** The list rooms carry "changed" notices only; clients refetch the list when they (re)join. */
const imagesRoom = defineRoom({ family: "images", role: "viewer" });
const jobsRoom = defineRoom({ family: "jobs", role: "viewer" });
const requestsRoom = defineRoom({ family: "requests", role: "viewer" });

/** The server side of every room family; server.ts hands this table to attachSocketServer. */
export const rooms: { [F in RoomFamily]: RoomDefinition<F> } = {
  job: jobRoom,
  image: imageRoom,
  images: imagesRoom,
  jobs: jobsRoom,
  deploy: deployRoom,
  console: consoleRoom,
  nodes: nodesRoom,
  shell: shellRoom,
  requests: requestsRoom,
};
