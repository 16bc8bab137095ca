import { z } from "zod";
import { recordAudit } from "@/lib/audit/record-audit";
import { prisma } from "@/lib/db/client";

/**
 * Settings an admin sets for the whole installation, shown to everyone (GET) so the rules are visible:
 * - sensitivePaths: image paths (globs: `*` within one name) whose content only editors and above may read;
 *   viewers see that such a file exists and its metadata;
 * - sensitiveRootPrivate: also treat every root-owned file of mode 0600/0400 (no group or other access) as
 *   sensitive;
 * - privilegedEditorImages: images on which editors (not only admins) may set setuid/setgid bits and hand
 *   executables to root.
 */
export const securitySettingsSchema = z.object({
  sensitivePaths: z.array(z.string().min(2).max(512).regex(/^\//, "an absolute path inside the image")).max(200),
  sensitiveRootPrivate: z.boolean(),
  privilegedEditorImages: z.array(z.string().min(1).max(128)).max(1000),
});
export type SecuritySettings = z.infer<typeof securitySettingsSchema>;

export const DEFAULT_SECURITY_SETTINGS: SecuritySettings = {
  sensitivePaths: ["/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/ssh/ssh_host_*_key", "/etc/munge/munge.key"],
  sensitiveRootPrivate: true,
  privilegedEditorImages: [],
};

const KEY = "security";

export async function getSecuritySettings(): Promise<SecuritySettings> {
  const row = await prisma.setting.findUnique({ where: { key: KEY } });
  if (!row) return DEFAULT_SECURITY_SETTINGS;
  const parsed = securitySettingsSchema.safeParse(JSON.parse(row.value));
  return parsed.success ? parsed.data : DEFAULT_SECURITY_SETTINGS;
}

export async function setSecuritySettings(opts: {
  settings: SecuritySettings;
  user: { id: string; username: string };
}): Promise<SecuritySettings> {
  const value = JSON.stringify(opts.settings);
  await prisma.$transaction(async (tx) => {
    const before = await tx.setting.findUnique({ where: { key: KEY } });
    await tx.setting.upsert({ where: { key: KEY }, create: { key: KEY, value }, update: { value } });
    await recordAudit(tx, {
      user: opts.user,
      action: "settings.security",
      outcome: "ok",
      detail: { before: before ? JSON.parse(before.value) : DEFAULT_SECURITY_SETTINGS, after: opts.settings },
    });
  });
  return opts.settings;
}
