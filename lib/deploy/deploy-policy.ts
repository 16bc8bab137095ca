/**
 * "May this deploy go ahead?": the one place that decides, once the request names an image version and its
 * targets and before any node is looked up or anything runs. It is asked for the confirm screen and again when the
 * deploy is confirmed, so a refusal shows before the admin confirms. A refusal is an AppError `forbidden`
 * (audited as a denied deploy by the caller) with `details.rule` naming the rule that refused.
 *
 * Rules: editors deploy to test hosts only; reviewers and admins also to xCAT nodes; and the image's review policy
 * (by default, nodes beyond test hosts boot only a version packed from an approved change request).
 */
import { hasRole } from "@/lib/auth/roles";
import { AppError } from "@/lib/errors";
import { checkDeploy } from "@/lib/requests/pack-gate";

export type DeployPolicyInput = {
  user: { id: string; username: string; role: string };
  image: string;
  /** the version that would boot, and its stamp */
  seq: number;
  stampUuid: string | null;
  /** the change request the version was packed from, if any */
  changeId: string | null;
  testHosts: string[];
  /** xCAT nodes as asked for: names, and a group (its members are looked up after this check) */
  nodes: string[];
  group?: string;
};

export async function assertDeployAllowed(input: DeployPolicyInput): Promise<void> {
  if ((input.nodes.length || input.group) && !hasRole(input.user, "reviewer"))
    throw new AppError("forbidden", "editors deploy to test hosts only; a reviewer or admin deploys to xCAT nodes", {
      details: { rule: "role" },
    });
  const targets = [
    ...input.testHosts.map((name) => ({ name, kind: "testhost" as const })),
    ...input.nodes.map((name) => ({ name, kind: "xcat" as const })),
    ...(input.group ? [{ name: `group ${input.group}`, kind: "xcat" as const }] : []),
  ];
  await checkDeploy({ image: input.image, seq: input.seq, changeId: input.changeId, targets });
}
