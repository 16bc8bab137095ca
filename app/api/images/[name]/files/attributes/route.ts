import { changeAttributesRoute } from "@/lib/api/contracts/files";
import { handle } from "@/lib/api/handle";
import { getImageTree } from "@/lib/files/image-tree";
import { runFileChange } from "@/lib/files/record-file-change";
import { changeAttributes, parseMode } from "@/lib/image/change-attributes";
import { idFromNameOrNumber, readImageUsers } from "@/lib/image/image-users";
import { statEntry } from "@/lib/image/list-directory";
import { assertMayMakePrivileged, privilegedReasons } from "@/lib/security/privileged-modes";

// PATCH /api/images/{name}/files/attributes – chmod/chown inside the image; setuid/setgid and handing an
// executable to root are privileged (admins, or editors where an admin allowed it) and audited as such
export const PATCH = handle(changeAttributesRoute, async ({ user, params, body }) => {
  const root = await getImageTree(params.name);
  const before = statEntry(root, body.path);
  const uid = body.owner === undefined ? before.uid : idFromNameOrNumber(body.owner, readImageUsers(root).uidByName, "user");
  const reasons = privilegedReasons({
    type: before.type,
    before,
    after: { mode: body.mode === undefined ? before.mode : parseMode(body.mode), uid },
  });
  const privileged = await assertMayMakePrivileged(user, params.name, reasons, before.path);
  const kind = body.owner !== undefined || body.group !== undefined ? "owner" : "mode";
  const r = await runFileChange(
    {
      user,
      image: params.name,
      tree: root,
      kind,
      action: privileged ?? (kind === "owner" ? "file.chown" : "file.chmod"),
      target: body.path,
    },
    () => changeAttributes({ root, ...body }),
    (x) => ({
      paths: [x.after.path],
      detail: {
        before: { mode: x.before.octal, uid: x.before.uid, gid: x.before.gid },
        after: { mode: x.after.octal, uid: x.after.uid, gid: x.after.gid },
        ...(reasons.length ? { privileged: reasons } : {}),
      },
    }),
  );
  return r.after;
});
