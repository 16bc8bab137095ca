import { getConsoleRoute } from "@/lib/api/contracts/nodes";
import { handle } from "@/lib/api/handle";
import { readConsole } from "@/lib/nodes/test-host-runner";
import { getTestHost } from "@/lib/nodes/test-hosts";

// GET /api/test-hosts/{name}/console – the serial console since the last power on
export const GET = handle(getConsoleRoute, async ({ params }) => {
  await getTestHost(params.name);
  return new Response(readConsole(params.name), { headers: { "content-type": "text/plain; charset=utf-8" } });
});
