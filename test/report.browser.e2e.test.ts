/**
 * The demo shop's report page in a real browser: Debian's Chromium (/usr/bin/chromium), headless,
 * driven by playwright-core. The page opens from file:// with no console error and no request but
 * its own document; every segment's row and counts are visible and equal `count --json`; the 25
 * heat-map cells show `rfm --json`'s grid; nothing overflows the page at 1280 px on screen nor at
 * the printable width of A4, and it prints to a PDF. With UPDATE_SCREENSHOT=1 it writes the
 * README's screenshot, docs/report.png.
 *
 * Without /usr/bin/chromium these tests are skipped (and say so), except under CI, where they run
 * and fail: .ci/run installs Chromium when it is missing.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BuildHistory } from "../src/report/html.js";
import { REPO_ROOT, runCli } from "./helpers/run-cli.js";

const CHROMIUM = "/usr/bin/chromium";
const CI = process.env.CI !== undefined && process.env.CI !== "" && process.env.CI !== "false";
const SKIP = !existsSync(CHROMIUM) && !CI;
const REASON = `skipped: no ${CHROMIUM} (apt-get install chromium)`;
if (SKIP) console.warn(`report.browser.e2e: ${REASON}`);

const DEMO = ["--config", "fixtures/demo/audience.yaml"];
/** A4 is 210 mm wide; the page prints with 12 mm margins: 186 mm at 96 px per inch. */
const A4_PRINTABLE = Math.floor((186 / 25.4) * 96);

interface CountsJson {
  segments: { id: string; matched: number; reachable: number }[];
}

let work: string;
let url: string;
let browser: Browser;
let counts: CountsJson;
let grid: number[][];

async function json<T>(args: string[]): Promise<T> {
  const run = await runCli([...args, ...DEMO, "--json"]);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T;
}

const formatted = (n: number) => n.toLocaleString("en-US");

/** Opens the page; returns it with the console messages, page errors and requests seen. */
async function open(width: number, media: "screen" | "print" = "screen") {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("request", (r) => requests.push(r.url()));
  // Anything but the document itself is refused, so a stray reference could not load unseen.
  await page.route("**/*", (route) =>
    route.request().url() === url ? route.continue() : route.abort(),
  );
  await page.emulateMedia({ media });
  await page.goto(url, { waitUntil: "load" });
  return { page, problems, requests };
}

/** The little of the DOM these tests read in the page (the tests are type-checked without it). */
interface PageElement {
  tagName: string;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): {
    left: number;
    right: number;
    bottom: number;
    width: number;
    height: number;
  };
}
interface PageWindow {
  scrollY: number;
  document: {
    documentElement: { clientWidth: number; scrollWidth: number };
    body: { querySelectorAll(selector: string): ArrayLike<PageElement> };
  };
}

/** Elements whose box leaves the page on the left or the right (visible ones only). */
function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const { document } = globalThis as unknown as PageWindow;
    const width = document.documentElement.clientWidth;
    const out: string[] = [];
    if (document.documentElement.scrollWidth > width)
      out.push(`document: ${document.documentElement.scrollWidth} > ${width}`);
    for (const el of Array.from(document.body.querySelectorAll("*"))) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      if (box.right > width + 0.5 || box.left < -0.5) {
        const key = el.getAttribute("data-segment") ?? el.getAttribute("class") ?? "";
        out.push(
          `${el.tagName.toLowerCase()}${key === "" ? "" : `.${key}`}: ${Math.round(box.left)}..${Math.round(box.right)} of ${width}`,
        );
      }
    }
    return out;
  });
}

describe.skipIf(SKIP)(`the report in headless Chromium${SKIP ? ` (${REASON})` : ""}`, () => {
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "audience-browser-"));
    const file = join(work, "report.html");
    const run = await runCli(["report", ...DEMO, "--html", file, "--quiet"]);
    expect(run.code).toBe(0);
    url = pathToFileURL(file).href;
    counts = await json<CountsJson>(["count"]);
    grid = (await json<{ grid: number[][] }>(["rfm"])).grid;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await rm(work, { recursive: true, force: true });
  });

  it("opens from file:// with no console error and no request but the page itself", async () => {
    const { page, problems, requests } = await open(1280);
    expect(await page.title()).toBe("Audience report · 2026-06-30");
    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    await page.close();
  });

  it("shows all 23 library segments, each row and its counts visible and equal to count --json", async () => {
    const { page } = await open(1280);
    expect(counts.segments).toHaveLength(23);
    const rows = page.locator("tr[data-segment]");
    expect(await rows.count()).toBe(23);
    for (const s of counts.segments) {
      const row = page.locator(`tr[data-segment="${s.id}"]`);
      await row.scrollIntoViewIfNeeded();
      expect(await row.isVisible(), s.id).toBe(true);
      expect(await row.locator(".seg-id").innerText()).toBe(s.id);
      const matched = row.locator('[data-field="matched"]');
      const reachable = row.locator('[data-field="reachable"]');
      expect(await matched.isVisible()).toBe(true);
      expect([await matched.innerText(), await reachable.innerText()], s.id).toEqual([
        formatted(s.matched),
        formatted(s.reachable),
      ]);
    }
    await page.close();
  });

  it("shows rfm --json's grid in the heat map's 25 cells", async () => {
    const { page } = await open(1280);
    expect(await page.locator("td[data-r][data-f]").count()).toBe(25);
    const shown: string[][] = [];
    for (let r = 1; r <= 5; r++) {
      const row: string[] = [];
      for (let f = 1; f <= 5; f++) {
        const cell = page.locator(`td[data-r="${r}"][data-f="${f}"] .cell-count`);
        expect(await cell.isVisible()).toBe(true);
        row.push(await cell.innerText());
      }
      shown.push(row);
    }
    expect(shown).toEqual(grid.map((row) => row.map(formatted)));
    await page.close();
  });

  it("fits the screen at 1280 px and the printable width of A4, and prints to a PDF", async () => {
    const screen = await open(1280);
    expect(await overflowing(screen.page)).toEqual([]);
    await screen.page.close();
    const print = await open(A4_PRINTABLE, "print");
    expect(await overflowing(print.page)).toEqual([]);
    // The navigation is for the screen only.
    expect(await print.page.locator("nav").isVisible()).toBe(false);
    const pdf = await print.page.pdf({ format: "A4", printBackground: true });
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    await print.page.close();
  });

  it("with a build history: entered, exited and sizes over time fit the screen and A4 too", async () => {
    // The page as a build with a history renders it: the demo shop's run (the built modules, as
    // the CLI runs them) and eight synthetic builds before it.
    type Modules = [
      typeof import("../src/cli/options.js"),
      typeof import("../src/cli/segment-run.js"),
      typeof import("../src/cli/commands/count.js"),
      typeof import("../src/cli/commands/report.js"),
    ];
    const [options, segmentRun, count, report] = (await Promise.all(
      [
        "cli/options.js",
        "cli/segment-run.js",
        "cli/commands/count.js",
        "cli/commands/report.js",
      ].map((m) => import(pathToFileURL(join(REPO_ROOT, "dist", m)).href)),
    )) as Modules;
    const context = {
      stdout: process.stdout,
      stderr: new PassThrough().resume(),
      env: {},
      cwd: REPO_ROOT,
      stderrIsTTY: false,
      stdoutIsTTY: false,
      now: () => Date.now(),
    };
    const prepared = await options.loadSettings(
      { config: "fixtures/demo/audience.yaml", quiet: true },
      context,
    );
    const run = await segmentRun.runSegments(prepared, context);
    const history: BuildHistory = {
      builds: Array.from({ length: 8 }, (_, d) => ({
        as_of: `2026-06-${23 + d}`,
        built_at: `2026-06-${23 + d}T04:30:00Z`,
        segments: Object.fromEntries(
          run.results.map((r, i) => {
            const size = (n: number) => Math.round(n * (0.8 + 0.2 * Math.sin(d + i)));
            const entry = {
              matched: size(r.matched),
              reachable: size(r.reachableCount),
              written: size(r.reachableCount),
              entered: 12_345 + d,
              exited: 10_000 + i,
            };
            return [r.segment.id, entry];
          }),
        ),
      })),
    };
    const file = join(work, "history.html");
    await writeFile(file, report.reportHtmlOf(run, count.countsViewOf(run), history));
    const pageUrl = pathToFileURL(file).href;
    for (const [width, media] of [
      [1280, "screen"],
      [A4_PRINTABLE, "print"],
    ] as const) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      await page.emulateMedia({ media });
      await page.goto(pageUrl);
      expect(await page.locator("#history .small-multiple").count()).toBe(23);
      expect(
        await page.locator('tr[data-segment="rfm-vip"] [data-field="entered"]').innerText(),
      ).toBe("+12,352");
      expect(await page.locator("tr[data-segment] .sparkline").count()).toBe(23);
      expect({ width, media, overflowing: await overflowing(page) }).toEqual({
        width,
        media,
        overflowing: [],
      });
      await page.close();
    }
  });

  it("makes the README's screenshot (docs/report.png) when UPDATE_SCREENSHOT=1", async () => {
    const { page } = await open(1280);
    // The top of the page: the key figures, the segments and the RFM heat map.
    const bottom = await page
      .locator(".rfm-layout")
      .evaluate(
        (el) =>
          (el as unknown as PageElement).getBoundingClientRect().bottom +
          (globalThis as unknown as PageWindow).scrollY +
          24,
      );
    const png = await page.screenshot({
      clip: { x: 0, y: 0, width: 1280, height: Math.ceil(bottom) },
      fullPage: true,
    });
    // A PNG 1280 px wide (IHDR), small enough for a README.
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(png.readUInt32BE(16)).toBe(1280);
    expect(png.length).toBeLessThan(400 * 1024);
    if (process.env.UPDATE_SCREENSHOT === "1")
      await writeFile(join(REPO_ROOT, "docs/report.png"), png);
    else
      expect((await readFile(join(REPO_ROOT, "docs/report.png"))).subarray(1, 4).toString()).toBe(
        "PNG",
      );
    await page.close();
  });
});
