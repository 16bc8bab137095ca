import { getSecuritySettingsRoute, setSecuritySettingsRoute } from "@/lib/api/contracts/security";
import { handle } from "@/lib/api/handle";
import { getSecuritySettings, setSecuritySettings } from "@/lib/security/security-settings";

// GET /api/security-settings – visible to everyone, so the rules are known
export const GET = handle(getSecuritySettingsRoute, async () => getSecuritySettings());

// PUT /api/security-settings – admins only, audited
export const PUT = handle(setSecuritySettingsRoute, async ({ body, user }) => setSecuritySettings({ settings: body, user }));
