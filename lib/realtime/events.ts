/**
 * The table of Socket.IO rooms and events, shared by the server (lib/realtime/emit.ts, the rooms' join
 * hooks) and the browser (components/hooks/use-room.ts). Room names are built only by `room.*` and parsed
 * only by `parseRoom`; each event's payload is declared once, in `RoomEvents`.
 *
 * Wire format: every room event is sent as `(roomName, payload)`, so a tab in several rooms of one family
 * (two jobs) can tell the events apart without each payload repeating its room's id.
 *
 * Imported by client components: type-only imports and plain functions here, nothing from `node:`.
 */
import type { JobDto, JobLogLine } from "@/lib/api/contracts/jobs";
import type { DeployTargetView } from "@/lib/api/contracts/nodes";

/** A value as it arrives after JSON: dates become ISO strings. */
export type Wire<T> = T extends Date ? string : T extends (infer U)[] ? Wire<U>[] : T extends object ? { [K in keyof T]: Wire<T[K]> } : T;

export type JobWire = Wire<JobDto>;
export type JobLogLineWire = Wire<JobLogLine>;
export type PresenceUser = { clientId: string; username: string; files: string[] };
/** PendingChange kind of a file operation; a rename also names `from` and `to`, a delete's path is paths[0]. */
export type FilesChangedEvent = { paths: string[]; kind: string; by: string; etag?: string; from?: string; to?: string };
/** Why an image's summary (workspace, archive, pending edits, last job) may have changed. */
export type ImageChangeReason = "job" | "files" | "imported" | "deleted" | "rollback" | "adopted";

/** What happened to a change request, and who did it (authorId: the browser tells its own requests apart). */
export type RequestChangedEvent = {
  id: number;
  image: string;
  title: string;
  state: string;
  action: string;
  by: string;
  byId: string | null;
  authorId: string | null;
  author: string;
};

/** Per room family: the events sent to its rooms and their payloads. */
export type RoomEvents = {
  /** `job:<id>`: one job. On join: the stored job and its whole log (`replay: true`), then the live tail. */
  job: {
    /** the whole job (on join, start and end) or a progress delta `{ id, state, done, total, message }` while it runs */
    "job:update": Partial<JobWire> & { id: string };
    /** log lines keyed by `seq`: replays and live lines may overlap */
    "job:log": { id: string; lines: JobLogLineWire[]; replay?: boolean };
  };
  /** `image:<name>`: one image's file browser. On join: the current presence. */
  image: {
    "files:presence": { users: PresenceUser[] };
    "files:changed": FilesChangedEvent;
    /** a command or shell run of the image started, ended, or its effect was applied or discarded */
    "commands:changed": { id: string };
  };
  /** `images`: the list of images. No replay: clients refetch on join. */
  images: {
    "images:changed": { image: string; reason: ImageChangeReason };
  };
  /** `jobs`: the list of jobs. No replay: clients refetch on join. */
  jobs: {
    "jobs:changed": { id: string; state: JobDto["state"]; image: string | null };
  };
  /** `deploy:<job id>`: one deploy. On join: every node's stored state, then each move of a node. */
  deploy: {
    "deploy:target": DeployTargetView & { jobId: string };
  };
  /** `console:<test host>`: its serial console. On join: the whole history of the current (or last) power-on as one reset. */
  console: {
    "console:reset": { name: string; data: string };
    "console:data": { name: string; data: string };
  };
  /** `shell:<run id>`: an open shell's terminal. On join: the recent output (`replay: true`) or, once ended, its exit. */
  shell: {
    "shell:output": { id: string; data: string; replay?: boolean };
    "shell:exit": { id: string; note: string; effectState?: string; effectSummary?: string };
  };
  /**
   * `requests`: change requests. A request was created, changed state, was updated or commented on; each client
   * tells from the payload whether it waits for its user (the nav count, a notice). No replay: clients refetch on join.
   */
  requests: {
    "requests:changed": RequestChangedEvent;
  };
  /** `nodes`: test hosts' status changes. No replay: clients refetch on join. */
  nodes: {
    "testhost:status": {
      name: string;
      status: string;
      statusAt: string;
      message?: string | null;
      bootedUuid?: string | null;
      pid?: number | null;
    };
  };
};

export type RoomFamily = keyof RoomEvents;
/** A room name of family F; only `room.*` makes one, so a call site cannot misspell a prefix. */
export type Room<F extends RoomFamily = RoomFamily> = string & { readonly __family: F };
export type RoomEventName<F extends RoomFamily> = keyof RoomEvents[F] & string;
export type RoomPayload<F extends RoomFamily, E extends RoomEventName<F>> = RoomEvents[F][E];

const make = <F extends RoomFamily>(family: F, id?: string) => (id === undefined ? family : `${family}:${id}`) as Room<F>;

export const room = {
  job: (id: string) => make("job", id),
  image: (name: string) => make("image", name),
  images: () => make("images"),
  jobs: () => make("jobs"),
  deploy: (jobId: string) => make("deploy", jobId),
  console: (testHost: string) => make("console", testHost),
  nodes: () => make("nodes"),
  shell: (runId: string) => make("shell", runId),
  requests: () => make("requests"),
};

/** Families whose rooms carry an id (`<family>:<id>`); the others are one room named after the family. */
const WITH_ID: Record<RoomFamily, boolean> = {
  job: true,
  image: true,
  images: false,
  jobs: false,
  deploy: true,
  console: true,
  nodes: false,
  shell: true,
  requests: false,
};

/** Splits a room name a client asked to join; null when it is not a room of the table. */
export function parseRoom(name: string): { family: RoomFamily; id: string } | null {
  const sep = name.indexOf(":");
  const family = (sep < 0 ? name : name.slice(0, sep)) as RoomFamily;
  if (!Object.hasOwn(WITH_ID, family)) return null;
  const id = sep < 0 ? "" : name.slice(sep + 1);
  if (WITH_ID[family] !== sep >= 0 || (WITH_ID[family] && id === "")) return null;
  return { family, id };
}

/** The acknowledgement of `join`. */
export type JoinAck = { ok: true } | { ok: false; error: string };

/** What the browser sends. */
export type ClientToServerEvents = {
  join: (room: string, ack?: (r: JoinAck) => void) => void;
  leave: (room: string) => void;
  /** a message to a room the socket joined (e.g. keystrokes into a shell); see RoomMessages */
  "room:send": <F extends keyof RoomMessages, E extends keyof RoomMessages[F] & string>(
    room: Room<F>,
    event: E,
    data: RoomMessages[F][E],
  ) => void;
};

/** Per room family: the messages a client in the room may send to the server (RoomDefinition.on). */
export type RoomMessages = {
  shell: {
    input: string;
    resize: { cols: number; rows: number };
  };
};

type AllEvents = { [F in RoomFamily]: RoomEvents[F] }[RoomFamily];
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
/** What the server sends: every room event as `(roomName, payload)`. */
export type ServerToClientEvents = {
  [E in keyof UnionToIntersection<AllEvents>]: (room: string, payload: UnionToIntersection<AllEvents>[E]) => void;
};
