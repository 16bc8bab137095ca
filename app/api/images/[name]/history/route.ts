import { imageHistoryRoute } from "@/lib/api/contracts/requests";
import { handle } from "@/lib/api/handle";
import { getImageContext } from "@/lib/images/image-context";
import { imageHistory } from "@/lib/requests/image-history";

// GET /api/images/{name}/history?kind=&user= – versions, requests, commands, deploys in one timeline
export const GET = handle(imageHistoryRoute, async ({ params, query }) => {
  await getImageContext(params.name); // 404 for an unknown image
  return imageHistory(params.name, query);
});
