// Test helper: import it FIRST in a test file that touches the database, as a side-effect import
// (`import "@/lib/db/test-database";`, which import sorting keeps first). It points DATABASE_URL and
// ROOTIMG_DATA_DIR at a fresh temporary directory and applies the migrations before lib/db/client.ts creates
// the Prisma client. Vitest runs each test file in its own module graph, so each file gets its own database.
// A test that sets more of the environment first calls createTempDatabase (lib/xcat/test-db.ts) itself.
import { createTempDatabase } from "@/lib/xcat/test-db";

export const testDataDir = createTempDatabase("rootimg-unit-");
