import { securitySettingsSchema } from "@/lib/security/security-settings";
import { defineRoute } from "../define-route";

const tags = ["security"];

export const getSecuritySettingsRoute = defineRoute({
  method: "GET",
  path: "/api/security-settings",
  role: "viewer",
  tags,
  summary: "Sensitive paths (content for editors and above only) and the images where editors may set setuid/setgid",
  response: securitySettingsSchema,
});

export const setSecuritySettingsRoute = defineRoute({
  method: "PUT",
  path: "/api/security-settings",
  role: "admin",
  tags,
  summary: "Set the security settings (audited as settings.security)",
  body: securitySettingsSchema,
  response: securitySettingsSchema,
});
