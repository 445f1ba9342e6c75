/**
 * The built CLI parses a run's files on two threads that take them in turn (contacts and events on
 * one, orders and lists on the other), each reading ahead of the main thread. Whatever thread
 * finishes first, rows and errors reach the model file by file, in order: the same output as one
 * file at a time, and the first file's problem first.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli } from "./helpers/run-cli.js";

const DEMO = join(REPO_ROOT, "fixtures/demo");
const AS_OF = ["--as-of", "2026-06-30"];
let work: string;
let contactsLast: number;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "audience-readers-"));
  for (const file of ["contacts.csv", "orders.csv", "events.csv", "lists.csv"])
    await cp(join(DEMO, file), join(work, file));
  // A broken copy of contacts: its last line opens a quote that never closes.
  const contacts = (await readFile(join(DEMO, "contacts.csv"), "utf8")).trimEnd().split("\n");
  contactsLast = contacts.length + 1;
  contacts.push('C999,"never closed');
  await writeFile(join(work, "contacts-broken.csv"), contacts.join("\n"));
  // A broken copy of orders with its problem on line 2, found long before line 4 of contacts
  // if the orders thread is first.
  const orders = (await readFile(join(DEMO, "orders.csv"), "utf8")).split("\n");
  orders[1] = '1,"never closed,';
  await writeFile(join(work, "orders-broken.csv"), orders.join("\n"));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const inputs = (overrides: Record<string, string> = {}) => {
  const files = {
    contacts: "contacts.csv",
    orders: "orders.csv",
    events: "events.csv",
    lists: "lists.csv",
    ...overrides,
  };
  return Object.entries(files).flatMap(([kind, file]) => [`--${kind}`, join(work, file)]);
};

describe("reading on two threads", () => {
  it("gives the same counts as reading one file at a time on the main thread", async () => {
    const args = ["count", ...inputs(), "--segments", join(REPO_ROOT, "segments"), ...AS_OF];
    const threads = await runCli(args);
    const inline = await runCli(args, { env: { AUDIENCE_READER: "inline" } });
    expect(threads.code).toBe(0);
    expect(threads).toEqual(inline);
  });

  it("reads a Shopify export (79 columns, most of them unread) as the main thread does", async () => {
    const args = [
      "count",
      "--config",
      join(REPO_ROOT, "fixtures/shopify/audience.yaml"),
      "--segments",
      join(REPO_ROOT, "segments"),
    ];
    const threads = await runCli(args);
    const inline = await runCli(args, { env: { AUDIENCE_READER: "inline" } });
    expect(threads.code).toBe(0);
    expect(threads).toEqual(inline);
  });

  it("keeps the columns no segment reads in the --rejects file", async () => {
    const orders = join(work, "orders-with-note.csv");
    await writeFile(
      orders,
      "order_id,customer_id,created_at,total,note\n1,c1,2026-06-01,12abc,call before delivery\n",
    );
    const rejects = join(work, "rejects.csv");
    const run = await runCli(["rfm", "--orders", orders, ...AS_OF, "--rejects", rejects]);
    expect(run.code).toBe(0);
    expect(await readFile(rejects, "utf8")).toContain("call before delivery");
  });

  it("reports a problem in the orders, read on the second thread", async () => {
    const run = await runCli(["rfm", ...inputs({ orders: "orders-broken.csv" }), ...AS_OF]);
    expect([run.code, run.stdout, run.stderr.split("\n")[0]]).toEqual([
      1,
      "",
      `error ${join(work, "orders-broken.csv")}:2: a quoted field opens here and never closes`,
    ]);
  });

  it("reports the first file's problem, not the one another thread found first", async () => {
    const run = await runCli([
      "rfm",
      ...inputs({ contacts: "contacts-broken.csv", orders: "orders-broken.csv" }),
      ...AS_OF,
    ]);
    expect([run.code, run.stderr.split("\n")[0]]).toEqual([
      1,
      `error ${join(work, "contacts-broken.csv")}:${contactsLast}: a quoted field opens here and never closes`,
    ]);
  });
});
