import { compareVersionFileRoute } from "@/lib/api/contracts/review";
import { handle } from "@/lib/api/handle";
import { compareVersionFile } from "@/lib/review/compare-versions";
import { getSecuritySettings } from "@/lib/security/security-settings";
import { mayReadSensitive, sensitiveCheck } from "@/lib/security/sensitive-files";

// GET /api/images/{name}/versions/compare/file?from=&to=&path= – one file in two kept versions
export const GET = handle(compareVersionFileRoute, async ({ params, query, user }) => {
  const check = mayReadSensitive(user) ? undefined : sensitiveCheck(await getSecuritySettings());
  return compareVersionFile({
    image: params.name,
    from: query.from,
    to: query.to,
    path: query.path,
    hiddenBecause: check && ((p, meta) => (check(p, meta) ? "a sensitive file: its content needs the editor role" : undefined)),
  });
});
