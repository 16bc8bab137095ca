/**
 * "May this deploy go ahead?": the one place that decides, once the request names an image version and its
 * targets and before any node is looked up or anything runs. It is asked for the confirm screen and again when the
 * deploy is confirmed, so a refusal shows before the admin confirms. A refusal is an AppError `forbidden`
 * (audited as a denied deploy by the caller) with `details.rule` naming the rule that refused.
 *
 * Rules today: editors deploy to test hosts only; reviewers and admins also to xCAT nodes. Image policies (an
 * approved change request required for nodes beyond test hosts) are added here, as further rules.
 */
import { hasRole } from "@/lib/auth/roles";
import { AppError } from "@/lib/errors";

export type DeployPolicyInput = {
  user: { id: string; username: string; role: string };
  image: string;
  /** the version that would boot, and its stamp */
  seq: number;
  stampUuid: string | null;
  testHosts: string[];
  /** xCAT nodes as asked for: names, and a group (its members are looked up after this check) */
  nodes: string[];
  group?: string;
};

export async function assertDeployAllowed(input: DeployPolicyInput): Promise<void> {
  if ((input.nodes.length || input.group) && !hasRole(input.user, "reviewer"))
    throw new AppError("forbidden", "editors deploy to test hosts only; a reviewer or admin deploys to xCAT nodes", { details: { rule: "role" } });
}
