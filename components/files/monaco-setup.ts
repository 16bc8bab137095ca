"use client";
import { loader } from "@monaco-editor/react";
import * as monaco from "monaco-editor";

// Monaco is bundled with the app (no CDN): workers come from node_modules through the bundler.
self.MonacoEnvironment = {
  getWorker(_id: string, label: string) {
    switch (label) {
      case "json":
        return new Worker(new URL("monaco-editor/languages/features/json/json.worker.js", import.meta.url), { type: "module" });
      case "css":
      case "scss":
      case "less":
        return new Worker(new URL("monaco-editor/languages/features/css/css.worker.js", import.meta.url), { type: "module" });
      case "html":
      case "handlebars":
      case "razor":
        return new Worker(new URL("monaco-editor/languages/features/html/html.worker.js", import.meta.url), { type: "module" });
      case "typescript":
      case "javascript":
        return new Worker(new URL("monaco-editor/languages/features/typescript/ts.worker.js", import.meta.url), { type: "module" });
      default:
        return new Worker(new URL("monaco-editor/editor/editor.worker.js", import.meta.url), { type: "module" });
    }
  },
};
loader.config({ monaco });

/** Small highlighters for admin files Monaco does not know. */
function register(id: string, tokenizer: monaco.languages.IMonarchLanguage) {
  if (monaco.languages.getLanguages().some((l) => l.id === id)) return;
  monaco.languages.register({ id });
  monaco.languages.setMonarchTokensProvider(id, tokenizer);
  monaco.languages.setLanguageConfiguration(id, { comments: { lineComment: "#" } });
}

register("systemd", {
  tokenizer: {
    root: [
      [/^\s*[#;].*$/, "comment"],
      [/^\s*\[[^\]]+\]/, "type"],
      [/^\s*[A-Za-z][\w.-]*(?=\s*=)/, "key"],
      [/%[a-zA-Z%]/, "variable"],
      [/\b(yes|no|true|false|on|off)\b/, "keyword"],
    ],
  },
});
register("sudoers", {
  tokenizer: {
    root: [
      [/^\s*#(include|includedir)\b.*$/, "keyword"],
      [/^\s*@(include|includedir)\b.*$/, "keyword"],
      [/#.*$/, "comment"],
      [/\b(Defaults|User_Alias|Runas_Alias|Host_Alias|Cmnd_Alias)\b/, "keyword"],
      [/\b(ALL|NOPASSWD|PASSWD|SETENV|NOEXEC)\b:?/, "type"],
      [/%[\w-]+/, "variable"],
    ],
  },
});
register("fstab", {
  tokenizer: {
    root: [
      [/#.*$/, "comment"],
      [/^\s*(UUID|LABEL|PARTUUID|PARTLABEL)=\S+/, "variable"],
      [/\b(ext[234]|xfs|btrfs|nfs4?|tmpfs|proc|sysfs|devpts|swap|lustre|gpfs|beegfs|vfat|none)\b/, "type"],
      [/\b(defaults|noauto|ro|rw|nofail|_netdev|noatime|bind)\b/, "keyword"],
    ],
  },
});
register("sshconfig", {
  tokenizer: {
    root: [
      [/#.*$/, "comment"],
      [/^\s*(Host|Match)\b/, "type"],
      [/^\s*[A-Za-z]+(?=\s)/, "key"],
      [/\b(yes|no|without-password|prohibit-password)\b/, "keyword"],
    ],
  },
});

export { monaco };
