#!/usr/bin/env node
/**
 * Regenerates the committed synthetic shops, deterministically:
 *   - fixtures/demo/: the built CLI's `audience demo` at 2,000 contacts, seed 42, as of 2026-06-30,
 *     with audience.yaml pointing at the repository's segment library;
 *   - fixtures/shopify/ and fixtures/shopify/canonical/: the hand-written Shopify export table of
 *     scripts/make-shopify-fixture.mjs.
 *
 *   npm run build && node scripts/make-fixtures.mjs
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const bin = fileURLToPath(new URL("../bin/audience.js", import.meta.url));

if (!existsSync(fileURLToPath(new URL("../dist/cli/main.js", import.meta.url)))) {
  console.error("dist/ is missing: run `npm run build` first");
  process.exit(1);
}

const demo = spawnSync(
  process.execPath,
  [
    bin,
    "demo",
    "--out",
    "fixtures/demo",
    "--contacts",
    "2000",
    "--seed",
    "42",
    "--as-of",
    "2026-06-30",
    "--segments",
    "../../segments",
  ],
  { cwd: root, stdio: "inherit", env: { ...process.env, NO_COLOR: "1" } },
);
if (demo.status !== 0) {
  console.error(`audience demo failed (exit ${demo.status ?? demo.signal})`);
  process.exit(1);
}

await import("./make-shopify-fixture.mjs");
