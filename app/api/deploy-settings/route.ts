import { getDeploySettingsRoute, setDeploySettingsRoute } from "@/lib/api/contracts/nodes";
import { handle } from "@/lib/api/handle";
import { recordAudit } from "@/lib/audit/record-audit";
import { getDeploySettings, setDeploySettings } from "@/lib/deploy/deploy-settings";

// GET /api/deploy-settings – the deploy rails
export const GET = handle(getDeploySettingsRoute, async () => getDeploySettings());
// PUT /api/deploy-settings – set them (admin)
export const PUT = handle(setDeploySettingsRoute, async ({ user, body }) =>
  setDeploySettings(body, (tx) => recordAudit(tx, { user, action: "deploy.settings", outcome: "ok", detail: body })),
);
