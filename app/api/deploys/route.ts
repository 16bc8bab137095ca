import { startDeployRoute } from "@/lib/api/contracts/nodes";
import { handle } from "@/lib/api/handle";
import { startDeploy } from "@/lib/deploy/start-deploy";

// POST /api/deploys – check a deploy (confirm=false: the plan) or start it (confirm=true: the job)
export const POST = handle(startDeployRoute, async ({ user, body }) =>
  startDeploy({
    user,
    source: body.versionSeq ? { kind: "version", image: body.image, seq: body.versionSeq } : { kind: "image", image: body.image },
    testHosts: body.testHosts,
    nodes: body.nodes,
    group: body.group,
    power: body.power,
    confirm: body.confirm,
  }),
);
