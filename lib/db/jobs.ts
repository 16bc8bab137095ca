import type { JobDto, JobLogLine, JobState } from "@/lib/api/contracts/jobs";
import { AppError } from "@/lib/errors";
import { prisma } from "./client";
import type { Job } from "./generated/client";

function parseJson(s: string | null): unknown {
  if (s === null) return null;
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

export function toJobDto(j: Job): JobDto {
  return {
    id: j.id,
    type: j.type,
    ownerName: j.ownerName,
    image: j.image,
    node: j.node,
    state: j.state as JobState,
    unit: j.unit,
    done: j.done,
    total: j.total,
    message: j.message,
    error: j.error,
    params: parseJson(j.params),
    result: parseJson(j.result),
    createdAt: j.createdAt,
    startedAt: j.startedAt,
    finishedAt: j.finishedAt,
  };
}

export type ListJobsOptions = { state?: JobState; type?: string; image?: string; limit?: number };

export async function listJobs({ state, type, image, limit = 100 }: ListJobsOptions): Promise<JobDto[]> {
  const rows = await prisma.job.findMany({
    where: { state, type, image },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
  });
  return rows.map(toJobDto);
}

export async function getJobOrThrow(id: string): Promise<JobDto> {
  const j = await prisma.job.findUnique({ where: { id } });
  if (!j) throw new AppError("not_found", `No job with id ${id}.`);
  return toJobDto(j);
}

export type GetJobLogOptions = { jobId: string; after?: number; limit?: number };

export async function getJobLog({ jobId, after = 0, limit = 100_000 }: GetJobLogOptions): Promise<JobLogLine[]> {
  const rows = await prisma.jobLog.findMany({
    where: { jobId, seq: { gt: after } },
    orderBy: { seq: "asc" },
    take: limit,
    select: { seq: true, at: true, stream: true, line: true },
  });
  return rows as JobLogLine[];
}
