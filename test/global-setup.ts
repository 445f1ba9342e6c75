/**
 * Vitest global setup: the end-to-end tests run the built CLI (`bin/audience.js` imports dist/),
 * so dist/ is brought up to date with src/ before any test runs — a plain `npx vitest run` can
 * never test stale code. The build (`tsc -p tsconfig.build.json`) is skipped only when every
 * source file is older than its compiled file; a build that fails writes nothing and stops the
 * run (dist/ stays stale, so the next run tries again).
 */
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SRC = join(ROOT, "src");
const DIST = join(ROOT, "dist");
const CONFIGS = ["tsconfig.json", "tsconfig.build.json"];

function modified(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return Number.NaN;
  }
}

function* sources(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) yield path;
  }
}

/** The first source newer than its compiled file (or without one), if any. */
export function staleSource(): string | undefined {
  const configs = Math.max(...CONFIGS.map((file) => modified(join(ROOT, file))));
  for (const source of sources(SRC)) {
    const built = modified(join(DIST, relative(SRC, source).replace(/\.ts$/, ".js")));
    // NaN (no compiled file) fails the comparison too.
    if (!(built >= modified(source) && built >= configs)) return relative(ROOT, source);
  }
  return undefined;
}

export default function setup(): void {
  const stale = staleSource();
  if (stale === undefined) return;
  process.stderr.write(`dist/ is older than ${stale}: building (tsc -p tsconfig.build.json)\n`);
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--noEmitOnError"], {
    cwd: ROOT,
    stdio: "inherit",
  });
}
