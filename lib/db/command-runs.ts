import type { CommandRunDetailDto, CommandRunDto } from "@/lib/api/contracts/commands";
import type { EffectEntry } from "@/lib/chroot/effect";
import { summarizeEffect } from "@/lib/chroot/effect";
import { AppError } from "@/lib/errors";
import { prisma } from "./client";
import type { CommandRun } from "./generated/client";

function parse<T>(s: string | null, fallback: T): T {
  if (!s) return fallback;
  try {
    return JSON.parse(s) as T;
  } catch {
    return fallback;
  }
}

export const effectOf = (r: CommandRun): EffectEntry[] => parse<EffectEntry[]>(r.effect, []);

export function toCommandRunDto(r: CommandRun): CommandRunDto {
  const effect = effectOf(r);
  return {
    id: r.id,
    image: r.image,
    kind: r.kind as CommandRunDto["kind"],
    line: r.line,
    username: r.username,
    jobId: r.jobId,
    state: r.state as CommandRunDto["state"],
    exitCode: r.exitCode,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    durationMs: r.durationMs,
    mode: r.mode as CommandRunDto["mode"],
    options: parse(r.options, null),
    effectState: r.effectState as CommandRunDto["effectState"],
    effectSummary: r.state === "running" ? "" : summarizeEffect(effect),
    effectCount: effect.length,
    appliedAt: r.appliedAt,
    appliedBy: r.appliedBy,
    error: r.error,
  };
}

export function toCommandRunDetailDto(r: CommandRun): CommandRunDetailDto {
  return { ...toCommandRunDto(r), output: parse(r.output, null), effect: effectOf(r) };
}

export async function getCommandRunOrThrow(image: string, id: string): Promise<CommandRun> {
  const r = await prisma.commandRun.findUnique({ where: { id } });
  if (!r || r.image !== image) throw new AppError("not_found", `No command ${id} in image ${image}.`);
  return r;
}
