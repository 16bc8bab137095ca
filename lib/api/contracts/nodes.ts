import { z } from "zod";
import { IMAGE_NAME_RE, isValidImageName } from "@/lib/xcat/image-name";
import { defineRoute } from "../define-route";

const tags = ["nodes"];
const imageName = z.string().regex(IMAGE_NAME_RE, "not a valid image name").refine(isValidImageName, "not a valid image name");
/** xCAT node and group names (noderange syntax such as `n[1-4]` or `,` is not accepted: one name each) */
const nodeName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, "not a valid node name");
const hostParams = z.object({ name: nodeName });

export const testHostSchema = z.object({
  name: z.string(),
  memoryMb: z.number().int(),
  image: z.string(),
  kcmdline: z.string(),
  nic: z.string().nullable(),
  versionSeq: z.number().int().nullable(),
  bootTimeoutSec: z.number().int(),
  status: z.string(),
  statusAt: z.string().nullable(),
  message: z.string().nullable(),
  bootedUuid: z.string().nullable(),
  arch: z.string(),
});
export type TestHostView = z.infer<typeof testHostSchema>;

const xcatNodeSchema = z.object({
  name: z.string(),
  arch: z.string().nullable(),
  groups: z.array(z.string()),
  currstate: z.string().nullable(),
  provmethod: z.string().nullable(),
  status: z.string().nullable(),
  statustime: z.string().nullable(),
  deployingJob: z.string().nullable(),
});
export type XcatNodeView = z.infer<typeof xcatNodeSchema>;

const settingsSchema = z.object({ maxNodes: z.number().int().min(1).max(10000), xcatBootTimeoutSec: z.number().int().min(30).max(86400) });

export const listNodesRoute = defineRoute({
  method: "GET",
  path: "/api/nodes",
  role: "viewer",
  tags,
  summary: "Test hosts, xCAT nodes and groups (xCAT backend), deploy settings",
  response: z.object({
    backend: z.enum(["xcat", "local"]),
    testHosts: z.array(testHostSchema.extend({ deployingJob: z.string().nullable() })),
    xcat: z.object({ nodes: z.array(xcatNodeSchema), groups: z.array(z.string()), error: z.string().nullable() }).nullable(),
    settings: settingsSchema,
  }),
});

const testHostBody = z.object({
  memoryMb: z.number().int().min(64).max(16384).default(512),
  image: imageName,
  kcmdline: z.string().max(1000).default(""),
  nic: z.string().max(100).nullable().default(null),
  bootTimeoutSec: z.number().int().min(10).max(3600).default(180),
});

export const createTestHostRoute = defineRoute({
  method: "POST",
  path: "/api/test-hosts",
  role: "admin",
  tags,
  status: 201,
  summary: "Define a test host (a QEMU machine that boots an image like a diskless node)",
  body: testHostBody.extend({ name: nodeName }),
  response: testHostSchema,
});

export const updateTestHostRoute = defineRoute({
  method: "PUT",
  path: "/api/test-hosts/{name}",
  role: "admin",
  tags,
  summary: "Change a test host (memory, image, kernel command line, network, time limit)",
  params: hostParams,
  body: testHostBody,
  response: testHostSchema,
});

export const deleteTestHostRoute = defineRoute({
  method: "DELETE",
  path: "/api/test-hosts/{name}",
  role: "admin",
  tags,
  summary: "Power off and delete a test host",
  params: hostParams,
  response: z.object({ deleted: z.string() }),
});

export const powerTestHostRoute = defineRoute({
  method: "POST",
  path: "/api/test-hosts/{name}/power",
  role: "editor",
  tags,
  summary: "Power a test host on, off or reset (reset is a power cycle)",
  params: hostParams,
  body: z.object({ action: z.enum(["on", "off", "reset"]) }),
  response: testHostSchema,
});

export const getConsoleRoute = defineRoute({
  method: "GET",
  path: "/api/test-hosts/{name}/console",
  role: "viewer",
  tags,
  summary: "A test host's serial console since its last power on (text; the UI follows it over Socket.IO)",
  params: hostParams,
  response: "raw",
  rawContentType: "text/plain",
});

const nodeResult = z.object({
  node: z.string(),
  ok: z.boolean(),
  text: z.string().optional(),
  error: z.string().optional(),
  warnings: z.array(z.string()),
  power: z.enum(["on", "off"]).optional(),
});

export const powerNodesRoute = defineRoute({
  method: "POST",
  path: "/api/nodes/power",
  role: "reviewer",
  tags,
  summary: "rpower NODES stat|on|off|reset|boot, or ssh NODE reboot; a result per node",
  body: z.object({ nodes: z.array(nodeName).min(1).max(1000), action: z.enum(["stat", "on", "off", "reset", "boot", "ssh-reboot"]) }),
  response: z.object({ command: z.string(), results: z.array(nodeResult) }),
});

export const nodesetRoute = defineRoute({
  method: "POST",
  path: "/api/nodes/nodeset",
  role: "reviewer",
  tags,
  summary: "nodeset NODES osimage=IMAGE; a result per node",
  body: z.object({ nodes: z.array(nodeName).min(1).max(1000), image: imageName }),
  response: z.object({ command: z.string(), results: z.array(nodeResult) }),
});

const targetSchema = z.object({
  node: z.string(),
  kind: z.enum(["testhost", "xcat"]),
  image: z.string(),
  versionSeq: z.number().int(),
  state: z.enum(["pending", "nodeset", "power", "booting", "booted", "verified", "mismatch", "failed"]),
  expectedUuid: z.string().nullable(),
  seenUuid: z.string().nullable(),
  message: z.string().nullable(),
  history: z.array(z.object({ state: z.string(), at: z.string(), detail: z.string().optional() })),
});
export type DeployTargetView = z.infer<typeof targetSchema>;

const planSchema = z.object({
  image: z.string(),
  seq: z.number().int(),
  stampUuid: z.string().nullable(),
  packedAt: z.string(),
  targets: z.array(z.object({ name: z.string(), kind: z.enum(["testhost", "xcat"]) })),
  power: z.enum(["boot", "reset", "on", "ssh-reboot"]),
  /** the change request the version was packed from */
  changeId: z.string().nullable(),
});
export type DeployPlanView = z.infer<typeof planSchema>;

export const startDeployRoute = defineRoute({
  method: "POST",
  path: "/api/deploys",
  role: "editor",
  tags,
  summary:
    "Deploy an image (its live version) or one version to test hosts (editors) or xCAT nodes/a group (reviewers, admins). confirm=false only checks and returns the plan",
  body: z.object({
    image: imageName,
    versionSeq: z.number().int().min(1).optional(),
    testHosts: z.array(nodeName).max(1000).default([]),
    nodes: z.array(nodeName).max(1000).default([]),
    group: nodeName.optional(),
    power: z.enum(["boot", "reset", "on", "ssh-reboot"]).default("boot"),
    confirm: z.boolean().default(false),
  }),
  response: z.object({ plan: planSchema, jobId: z.string().optional() }),
});

export const getDeployRoute = defineRoute({
  method: "GET",
  path: "/api/deploys/{id}",
  role: "viewer",
  tags,
  summary: "The nodes of a deploy job with their states and timestamps",
  params: z.object({ id: z.string().min(1).max(64) }),
  response: z.object({ targets: z.array(targetSchema) }),
});

export const getDeploySettingsRoute = defineRoute({
  method: "GET",
  path: "/api/deploy-settings",
  role: "viewer",
  tags,
  summary: "Deploy rails: the most nodes per deploy, the xCAT boot time limit",
  response: settingsSchema,
});

export const setDeploySettingsRoute = defineRoute({
  method: "PUT",
  path: "/api/deploy-settings",
  role: "admin",
  tags,
  summary: "Set the deploy rails",
  body: settingsSchema,
  response: settingsSchema,
});
