/**
 * Monaco language id for a file of an image, from its path and (for scripts) its shebang.
 * "systemd", "sudoers", "fstab" and "sshconfig" are small languages the editor registers itself;
 * everything else is one of Monaco's built-in ids.
 */
export function detectLanguage(path: string, firstLine = ""): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const lower = name.toLowerCase();
  const byPath: [RegExp, string][] = [
    [/^\/etc\/sudoers(\.d\/.*)?$/, "sudoers"],
    [/^\/etc\/(fstab|mtab|crypttab)$/, "fstab"],
    [/^\/etc\/ssh\/(ssh|sshd)_config(\.d\/.*)?$/, "sshconfig"],
    [/\/\.ssh\/config$/, "sshconfig"],
    [/\/(systemd|system|user)\/.*\.(service|socket|timer|mount|automount|target|path|slice|scope|network|netdev|link)$/, "systemd"],
    [/\/systemd\/.*\.conf$/, "systemd"],
    [/\/etc\/(bash\.bashrc|profile|environment)$/, "shell"],
    [/\/etc\/profile\.d\/.*\.sh$/, "shell"],
    [/\/etc\/default\//, "shell"],
  ];
  for (const [re, lang] of byPath) if (re.test(path)) return lang;
  const byExt: Record<string, string> = {
    sh: "shell",
    bash: "shell",
    zsh: "shell",
    ksh: "shell",
    service: "systemd",
    socket: "systemd",
    timer: "systemd",
    mount: "systemd",
    target: "systemd",
    path: "systemd",
    ini: "ini",
    cfg: "ini",
    cnf: "ini",
    repo: "ini",
    desktop: "ini",
    yaml: "yaml",
    yml: "yaml",
    json: "json",
    py: "python",
    pl: "perl",
    pm: "perl",
    xml: "xml",
    html: "html",
    css: "css",
    js: "javascript",
    ts: "typescript",
    md: "markdown",
    lua: "lua",
    rb: "ruby",
    sql: "sql",
    toml: "ini",
    conf: "ini",
    ps1: "powershell",
    go: "go",
    c: "c",
    h: "c",
  };
  const dot = lower.lastIndexOf(".");
  if (dot > 0) {
    const ext = lower.slice(dot + 1);
    // A few *.conf files are really shell fragments or plain lists; ini is a safe highlighter for the rest.
    if (byExt[ext] && !(ext === "conf" && /^(resolv|host|ld\.so|nsswitch|modules)\.conf$/.test(lower))) return byExt[ext];
  }
  if (/^\.(bashrc|bash_profile|profile|bash_logout|zshrc)$/.test(lower)) return "shell";
  if (lower === "dockerfile") return "dockerfile";
  if (lower === "makefile") return "plaintext";
  if (firstLine.startsWith("#!")) {
    const interp = firstLine.slice(2).trim().split(/\s+/);
    const prog = (interp[0]?.endsWith("/env") ? interp[1] : interp[0])?.split("/").pop() ?? "";
    if (/^(ba|da|k|z|a)?sh$/.test(prog)) return "shell";
    if (/^python[0-9.]*$/.test(prog)) return "python";
    if (/^perl[0-9.]*$/.test(prog)) return "perl";
    if (prog === "ruby") return "ruby";
    if (prog === "node") return "javascript";
    if (prog === "lua") return "lua";
  }
  return "plaintext";
}
