import { changeAttributesRoute } from "@/lib/api/contracts/files";
import { handle } from "@/lib/api/handle";
import { getImageTree } from "@/lib/files/image-tree";
import { runFileChange } from "@/lib/files/record-file-change";
import { changeAttributes } from "@/lib/image/change-attributes";

// PATCH /api/images/{name}/files/attributes – chmod/chown inside the image
export const PATCH = handle(changeAttributesRoute, async ({ user, params, body }) => {
  const root = await getImageTree(params.name);
  const kind = body.owner !== undefined || body.group !== undefined ? "owner" : "mode";
  const r = await runFileChange(
    { user, image: params.name, tree: root, kind, action: kind === "owner" ? "file.chown" : "file.chmod", target: body.path },
    () => changeAttributes({ root, ...body }),
    (x) => ({
      paths: [x.after.path],
      detail: { before: { mode: x.before.octal, uid: x.before.uid, gid: x.before.gid }, after: { mode: x.after.octal, uid: x.after.uid, gid: x.after.gid } },
    }),
  );
  return r.after;
});
