"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api-client";

export type SecuritySettingsView = { sensitivePaths: string[]; sensitiveRootPrivate: boolean; privilegedEditorImages: string[] };

/** Query keys of the security settings; only this module writes them. */
const keys = { settings: ["security-settings"] as const };

/** Sensitive paths, root-private files, and the images where editors may set setuid/setgid. */
export function useSecuritySettings() {
  return useQuery({ queryKey: keys.settings, queryFn: () => api<SecuritySettingsView>("/api/security-settings") });
}

/** Saving (admins) updates the cached settings with what the server kept. */
export function useSecuritySettingsCommands() {
  const qc = useQueryClient();
  return {
    save: async (body: SecuritySettingsView) => {
      const r = await api<SecuritySettingsView>("/api/security-settings", { method: "PUT", body });
      qc.setQueryData(keys.settings, r);
      return r;
    },
  };
}
