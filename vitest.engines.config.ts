import { defineConfig } from "vitest/config";
import { ENGINE_SUITES, SHARED } from "./vitest.config.js";

/** `npm run test:engines`: the engine differential suites (see vitest.config.ts). */
export default defineConfig({
  test: { include: ENGINE_SUITES, ...SHARED },
});
