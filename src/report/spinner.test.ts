import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createProgress, progressText, type ProgressStream } from "./spinner.js";

function context(overrides: Partial<ProgressStream> = {}): {
  ctx: ProgressStream;
  written: () => string;
} {
  // A stream that looks like a terminal, as ora needs to draw.
  const stderr = Object.assign(new PassThrough(), {
    isTTY: true,
    columns: 120,
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
  });
  let text = "";
  stderr.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
  });
  const ctx: ProgressStream = { stream: stderr, isTTY: true, env: {}, ...overrides };
  return { ctx, written: () => text };
}

const progress = {
  file: "orders.csv",
  kind: "orders" as const,
  bytes: 5_000_000,
  totalBytes: 0,
  rows: 123_456,
};

describe("progress spinner", () => {
  it.each([
    ["stderr is not a terminal", { isTTY: false }, {}],
    ["--quiet", {}, { quiet: true }],
    ["--json", {}, { json: true }],
    ["NO_COLOR", { env: { NO_COLOR: "1" } }, {}],
    ["TERM=dumb", { env: { TERM: "dumb" } }, {}],
  ])("stays silent when %s", (_name, ctxOverrides, flags) => {
    const { ctx, written } = context(ctxOverrides as Partial<ProgressStream>);
    const p = createProgress(ctx, { quiet: false, json: false, ...flags }, () => 0);
    p.update(progress);
    p.stop();
    expect(written()).toBe("");
  });

  it("shows rows read and MB/s on a terminal", async () => {
    const { ctx, written } = context();
    let now = 0;
    const p = createProgress(ctx, { quiet: false, json: false }, () => now);
    p.update({ ...progress, bytes: 0, rows: 0 });
    now = 2_000;
    p.update(progress);
    // ora draws on its own timer (every 80 ms).
    await new Promise((resolve) => setTimeout(resolve, 200));
    p.stop();
    expect(written()).toContain("Reading orders.csv · 123,456 rows · 2.5 MB/s");
  });

  it("shows a table's rows and rows/s, never 0.0 MB/s (a table has no bytes)", async () => {
    const { ctx, written } = context();
    let now = 0;
    const p = createProgress(ctx, { quiet: false, json: false }, () => now);
    const table = { file: "table shop.orders", kind: "orders" as const, bytes: 0, totalBytes: 0 };
    p.update({ ...table, rows: 0, table: true });
    now = 2_000;
    p.update({ ...table, rows: 10_000, table: true });
    await new Promise((resolve) => setTimeout(resolve, 200));
    p.stop();
    expect(written()).toContain("Reading table shop.orders · 10,000 rows · 5,000 rows/s");
    expect(written()).not.toContain("MB/s");
    expect(progressText({ ...table, rows: 5, table: true }, 0.001)).toBe(
      "Reading table shop.orders · 5 rows · 5,000 rows/s",
    );
  });
});
