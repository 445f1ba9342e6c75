/**
 * The UCI Online Retail sample (fixtures/model/uci/): `audience build` agrees, customer by customer,
 * with a plain independent computation of the usual cleaning (CustomerID present, invoice not
 * starting with C, quantity > 0, unit price > 0), done here with nothing but csv-parse and a loop.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli } from "./helpers/run-cli.js";

interface Customer {
  invoices: Set<string>;
  revenue: number;
  lanternSince: boolean;
  heartSpend: number;
}

function independent(csv: string): Map<string, Customer> {
  const rows = parse(csv, { columns: true }) as Record<string, string>[];
  const customers = new Map<string, Customer>();
  for (const r of rows) {
    const id = r.CustomerID.replace(/\.0$/, "");
    const quantity = Number(r.Quantity);
    const price = Number(r.UnitPrice);
    if (id === "" || r.InvoiceNo.startsWith("C") || !(quantity > 0) || !(price > 0)) continue;
    const c = customers.get(id) ?? {
      invoices: new Set(),
      revenue: 0,
      lanternSince: false,
      heartSpend: 0,
    };
    c.invoices.add(r.InvoiceNo);
    c.revenue += quantity * price;
    const description = r.Description.toLowerCase();
    if (description.includes("lantern") && r.InvoiceDate.slice(0, 10) >= "2011-09-01")
      c.lanternSince = true;
    if (description.includes("heart")) c.heartSpend += quantity * price;
    customers.set(id, c);
  }
  return customers;
}

let out: string;
let expected: Map<string, Customer>;
beforeAll(async () => {
  out = join(await mkdtemp(join(tmpdir(), "audience-uci-")), "out");
  expected = independent(
    await readFile(join(REPO_ROOT, "fixtures/model/uci/online_retail_sample.csv"), "utf8"),
  );
});
afterAll(async () => {
  await rm(join(out, ".."), { recursive: true, force: true });
});

async function members(id: string): Promise<string[]> {
  const text = await readFile(join(out, `${id}.csv`), "utf8");
  return text
    .split("\r\n")
    .slice(1)
    .filter((l) => l !== "")
    .map((l) => l.split(",")[0])
    .sort();
}

const select = (f: (c: Customer) => boolean) =>
  [...expected.entries()]
    .filter(([, c]) => f(c))
    .map(([id]) => id)
    .sort();

describe("UCI Online Retail sample", () => {
  it("builds the same segments as the independent computation", async () => {
    const run = await runCli([
      "build",
      "--config",
      "fixtures/model/uci/audience.yaml",
      "--out",
      out,
      "--json",
      "--quiet",
    ]);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as {
      customers: number;
      rejected_rows: Record<string, Record<string, number>>;
    };
    expect(summary.customers).toBe(expected.size);
    expect(summary.rejected_rows).toEqual({
      "fixtures/model/uci/online_retail_sample.csv": {
        "no customer key (customer_id, email or phone)": 195,
      },
    });
    expect(await members("repeat-buyers")).toEqual(select((c) => c.invoices.size >= 2));
    expect(await members("one-timers")).toEqual(select((c) => c.invoices.size === 1));
    expect(await members("big-spenders")).toEqual(
      select((c) => Math.round(c.revenue * 100) / 100 >= 500),
    );
    expect(await members("recent-lanterns")).toEqual(select((c) => c.lanternSince));
    expect(await members("heart-spend")).toEqual(select((c) => c.heartSpend >= 20));
    // The sample is not trivial: every segment has members, and not everyone.
    for (const id of [
      "repeat-buyers",
      "one-timers",
      "big-spenders",
      "recent-lanterns",
      "heart-spend",
    ]) {
      const n = (await members(id)).length;
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThan(expected.size);
    }
  });
});
