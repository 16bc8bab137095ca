import { readFileRoute, saveFileRoute } from "@/lib/api/contracts/files";
import { handle } from "@/lib/api/handle";
import { AppError } from "@/lib/errors";
import { getImageTree } from "@/lib/files/image-tree";
import { runFileChange } from "@/lib/files/record-file-change";
import { readImageFile } from "@/lib/image/read-image-file";
import { resolveInRoot } from "@/lib/image/resolve-in-root";
import { saveImageFile } from "@/lib/image/save-image-file";
import { assertMayMakePrivileged, type PrivilegedReason } from "@/lib/security/privileged-modes";
import { getSecuritySettings } from "@/lib/security/security-settings";
import { mayReadSensitive, sensitiveCheck, sensitiveRefusal } from "@/lib/security/sensitive-files";

// GET /api/images/{name}/files/content – open a file for the editor
// Viewers see that a sensitive file exists (list, stat) but not its content.
export const GET = handle(readFileRoute, async ({ params, query, user }) => {
  const root = await getImageTree(params.name);
  if (!mayReadSensitive(user)) {
    const r = resolveInRoot(root, query.path, { followFinal: true }); // the read follows a link, so does this check
    const st = r.stat;
    r.close();
    if (st?.isFile() && sensitiveCheck(await getSecuritySettings())(r.path, st)) throw sensitiveRefusal(r.path);
  }
  const file = readImageFile(root, query.path);
  return Response.json(file, { headers: { etag: `"${file.etag}"`, "cache-control": "no-store" } });
});

// PUT /api/images/{name}/files/content – save; a stale If-Match/etag gets 409 with the current etag
export const PUT = handle(saveFileRoute, async ({ user, params, body, req }) => {
  const etag = req.headers.get("if-match")?.replace(/^W\//, "").replace(/"/g, "") ?? body.etag;
  if (!etag) throw new AppError("bad_request", "Send the etag from the read (If-Match header) so a concurrent change is not overwritten.");
  const root = await getImageTree(params.name);
  // New content of a setuid/setgid program is as privileged as setting the bit.
  const target = resolveInRoot(root, body.path, { followFinal: true }); // a save follows a link, so does this check
  const st = target.stat;
  target.close();
  const bits = !st?.isFile()
    ? []
    : ([...(st.mode & 0o4000 ? ["setuid"] : []), ...(st.mode & 0o2000 ? ["setgid"] : [])] as PrivilegedReason[]);
  await assertMayMakePrivileged(user, params.name, bits, target.path);
  return runFileChange(
    { user, image: params.name, tree: root, kind: "content", action: "file.save", target: body.path },
    () => saveImageFile({ root, path: body.path, content: body.content, encoding: body.encoding, etag }),
    (r) => ({ paths: [r.entry.path], detail: { etag: r.etag, previousEtag: etag, bytes: r.bytes, inPlace: r.inPlace } }),
  );
});
