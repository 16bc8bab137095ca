import { shellRoom } from "@/lib/commands/shell-room";
import { imageRoom } from "@/lib/files/image-room";
import { jobRoom } from "@/lib/jobs/job-room";
import type { RoomDefinition } from "./define-room";

/** Every Socket.IO room family; server.ts hands this list to attachSocketServer. Add new families here. */
export const rooms: RoomDefinition[] = [jobRoom, imageRoom, shellRoom];
