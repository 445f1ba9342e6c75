/**
 * loadProfiles: the inputs wired to the sinks in order, the `--rejects` file (every skipped row,
 * written only when the run succeeds), and the errors before any work.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseIsoDay } from "../calendar.js";
import { loadConfigText } from "../config/load-config.js";
import { resolveSettings } from "../config/settings.js";
import { loadProfiles } from "./read-inputs.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "audience-read-inputs-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function load(config: string, flags: { rejects?: string; strict?: boolean } = {}) {
  const values = loadConfigText("audience.yaml", config).values;
  const settings = resolveSettings(
    { values, dir, file: { path: join(dir, "audience.yaml"), display: "audience.yaml" } },
    flags,
    dir,
  );
  return loadProfiles({
    settings,
    asOf: parseIsoDay("2026-06-30") as number,
    needs: { aggregates: [], fields: ["orders_count"] },
  });
}

describe("loadProfiles", () => {
  it("reads contacts before orders, events and lists, whatever the order in the config", async () => {
    await writeFile(
      join(dir, "orders.csv"),
      "order_id,email,created_at,total\n1,a@example.com,2026-01-01,10\n",
    );
    await writeFile(join(dir, "contacts.csv"), "email,first_name\na@example.com,Ann\n");
    await writeFile(join(dir, "lists.csv"), "list,email\nFans,a@example.com\n");
    const data = await load("lists: lists.csv\norders: orders.csv\ncontacts: contacts.csv\n");
    expect(data.inputs.map((i) => [i.kind, i.display, i.read.rows])).toEqual([
      ["contacts", "contacts.csv", 1],
      ["orders", "orders.csv", 1],
      ["lists", "lists.csv", 1],
    ]);
    // The buyer is the contact: one customer, known, with its order and list.
    expect(data.profiles.size).toBe(1);
    expect(data.profiles.field("known_contact")(0)).toBe(true);
    expect(data.profiles.field("orders_count")(0)).toBe(1);
    expect(data.profiles.field("lists")(0)).toEqual(["Fans"]);
  });

  it("writes every skipped row to the --rejects file: file, line, reason, raw", async () => {
    await writeFile(
      join(dir, "orders.csv"),
      'order_id,customer_id,created_at,total\n1,c1,2026-02-30,10\n2,,2026-01-01,5\n3,c1,2026-01-01,"1,2,3"\n4,c1,2026-01-01,4\n',
    );
    const rejects = join(dir, "rejects.csv");
    const data = await load("orders: orders.csv\n", { rejects });
    expect(data.rejects.rejectedCount()).toBe(3);
    expect(await readFile(rejects, "utf8")).toBe(
      [
        "file,line,reason,raw",
        'orders.csv,2,impossible date in created_at (2026-02-30),"1,c1,2026-02-30,10"',
        'orders.csv,3,"no customer key (customer_id, email or phone)","2,,2026-01-01,5"',
        'orders.csv,4,"invalid number in total (1,2,3)","3,c1,2026-01-01,""1,2,3"""',
        "",
      ].join("\n"),
    );
    // Only the file itself is left: the temporary file was renamed into place.
    expect((await readdir(dir)).sort()).toEqual(["orders.csv", "rejects.csv"]);
  });

  it("leaves no --rejects file when the run stops, and says when there is no orders file", async () => {
    await writeFile(join(dir, "orders.csv"), "order_id,customer_id,created_at\n1,c1,2026-13-01\n");
    const rejects = join(dir, "rejects.csv");
    await expect(load("orders: orders.csv\n", { rejects, strict: true })).rejects.toMatchObject({
      code: "BAD_ROW",
      message: "orders.csv:2: impossible date in created_at (2026-13-01)",
    });
    expect(await readdir(dir)).toEqual(["orders.csv"]);
    await expect(load("contacts: orders.csv\n")).rejects.toMatchObject({ code: "NO_ORDERS" });
  });
});
