/**
 * Identity whatever the row order (docs/design.md#inputs identity, issue 12 item 7): every order of
 * the rows of each file gives the same customers, the same profiles and the same counts.
 */
import { describe, expect, it } from "vitest";
import { loadShop, type Shop } from "../../test/helpers/shop.js";

interface Files {
  contacts?: string[];
  orders?: string[];
  events?: string[];
  lists?: string[];
}

const HEADERS = {
  contacts: "customer_id,email,phone,first_name,created_at,tags",
  orders: "order_id,customer_id,email,phone,created_at,total",
  events: "customer_id,email,phone,type,occurred_at",
  lists: "list,customer_id,email,phone",
} as const;

/** Every order of `items` (up to 5 items: 120 orders). */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

/** Every rotation of `items`, and each reversed. */
function rotations<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < Math.max(1, items.length); i++) {
    const turned = [...items.slice(i), ...items.slice(0, i)];
    out.push(turned, [...turned].reverse());
  }
  return out;
}

async function load(files: Files): Promise<Shop> {
  const text = (kind: keyof Files) => {
    const rows = files[kind];
    return rows === undefined ? {} : { [kind]: [HEADERS[kind], ...rows].join("\n") };
  };
  return loadShop({
    config: "default_country: FR",
    ...text("contacts"),
    ...text("orders"),
    ...text("events"),
    ...text("lists"),
    ...(files.orders === undefined ? { orders: HEADERS.orders } : {}),
  });
}

/** What a reading gives: every customer's profile and every file's counts. */
function summary(shop: Shop): unknown {
  return {
    customers: shop.keys().map((key) => shop.profile(key)),
    counts: shop.data.inputs.map(({ stats }) => ({
      rows: stats.rows,
      created: stats.created,
      merged: stats.merged,
      mergedBy: stats.mergedBy,
      keptApart: stats.keptApart,
    })),
  };
}

/** The contacts in every order, the other files in every rotation: one summary. */
async function expectOrderFree(files: Files): Promise<Shop> {
  const reference = await load(files);
  const expected = summary(reference);
  for (const contacts of permutations(files.contacts ?? [])) {
    const orders = rotations(files.orders ?? []);
    const events = rotations(files.events ?? []);
    const lists = rotations(files.lists ?? []);
    for (let i = 0; i < Math.max(orders.length, events.length, lists.length); i++) {
      const pick = (all: string[][], given: string[] | undefined) =>
        given === undefined ? undefined : all[i % all.length];
      const shuffled: Files = {
        ...(files.contacts === undefined ? {} : { contacts }),
        ...(files.orders === undefined ? {} : { orders: pick(orders, files.orders) }),
        ...(files.events === undefined ? {} : { events: pick(events, files.events) }),
        ...(files.lists === undefined ? {} : { lists: pick(lists, files.lists) }),
      };
      expect(summary(await load(shuffled)), JSON.stringify(shuffled)).toEqual(expected);
    }
  }
  return reference;
}

describe("identity whatever the row order (docs/design.md#inputs)", () => {
  it("a row without an id read before the rows of the id carrying its email is that id's", async () => {
    const shop = await expectOrderFree({
      contacts: [
        ",b@example.com,,Bea,,x",
        "c1,a@example.com,,Ann,2025-01-01,y",
        "c1,b@example.com,,,,z",
      ],
    });
    expect(shop.keys()).toEqual(["c1"]);
    expect(shop.profile("c1")).toMatchObject({ email: "a@example.com", tags: ["x", "y", "z"] });
    expect(shop.data.inputs[0].stats).toMatchObject({
      created: 1,
      merged: 2,
      mergedBy: { customer_id: 1, email: 1, phone: 0 },
    });
  });

  it("of the ids carrying an email, rows without an id go to the one that sorts first, read first or not", async () => {
    const shop = await expectOrderFree({
      contacts: [
        ",fam@example.com,,Kid,,k",
        "c2,fam@example.com,,Sue,,",
        "c1,fam@example.com,,Sam,,",
      ],
      orders: ["1,,fam@example.com,,2026-01-01,10", "2,c2,,,2026-01-02,20"],
    });
    expect(shop.keys()).toEqual(["c1", "c2"]);
    expect(shop.profile("c1")).toMatchObject({ tags: ["k"], orders_count: 1, total_spent: 10 });
    expect(shop.profile("c2")).toMatchObject({ tags: [], orders_count: 1, total_spent: 20 });
  });

  it("a phone-only row among customers without an id sharing the phone goes to the email that sorts first", async () => {
    const shop = await expectOrderFree({
      contacts: [
        ",bea@example.com,06 39 98 00 01,Bea,,",
        ",ana@example.com,06 39 98 00 01,Ana,,",
        ",,06 39 98 00 01,,,phone-row",
        ",,06 39 98 00 02,Cy,,",
        ",cy@example.com,06 39 98 00 02,,,",
      ],
      orders: [
        "1,,,06 39 98 00 01,2026-01-01,10",
        "2,,dee@example.com,06 39 98 00 01,2026-01-02,5",
      ],
    });
    expect(shop.keys()).toEqual([
      "ana@example.com",
      "bea@example.com",
      "cy@example.com",
      "dee@example.com",
    ]);
    expect(shop.profile("ana@example.com")).toMatchObject({ tags: ["phone-row"], orders_count: 1 });
    expect(shop.profile("cy@example.com")).toMatchObject({ first_name: "Cy" });
    const [contacts, orders] = shop.data.inputs.map((input) => input.stats);
    expect([contacts.created, contacts.merged, contacts.keptApart]).toEqual([3, 2, 1]);
    expect(contacts.mergedBy).toEqual({ customer_id: 0, email: 0, phone: 2 });
    expect([orders.created, orders.keptApart]).toEqual([1, 1]);
  });

  it("a phone-only row goes to the customer with an id carrying the phone, not to an email's without one", async () => {
    const shop = await expectOrderFree({
      contacts: [",ann@example.com,06 39 98 00 03,Ann,,", ",,06 39 98 00 03,,,p"],
      orders: ["1,c7,,06 39 98 00 03,2026-01-01,10", "2,,,06 39 98 00 03,2026-01-02,5"],
    });
    expect(shop.keys()).toEqual(["ann@example.com", "c7"]);
    expect(shop.profile("c7")).toMatchObject({ tags: ["p"], orders_count: 2, known_contact: true });
    expect(shop.profile("ann@example.com")).toMatchObject({ orders_count: 0 });
  });

  it("a customer of rows without an id that takes its id later outranks, for its phone, an id read before (hostile seed 505)", async () => {
    // The phone's owners were ranked when p5@'s customer had no id yet: c12 first, then c10.
    const shop = await expectOrderFree({
      contacts: [
        ",p5@example.com,06 39 98 00 06,,,",
        ",,06 39 98 00 06,,,p",
        "c12,,06 39 98 00 06,,,",
      ],
      orders: ["1,c10,p5@example.com,,2026-01-01,10", "2,,,06 39 98 00 06,2026-01-02,5"],
    });
    expect(shop.keys()).toEqual(["c10", "c12"]);
    expect(shop.profile("c10")).toMatchObject({ tags: ["p"], orders_count: 2, total_spent: 15 });
    expect(shop.profile("c12")).toMatchObject({ tags: [], orders_count: 0 });
  });

  it("orders, events and lists without an id, read before the rows with the id carrying their email or phone", async () => {
    const shop = await expectOrderFree({
      contacts: [",zed@example.com,,Zed,,"],
      orders: [
        "1,,zed@example.com,,2026-01-01,10",
        "2,,,06 39 98 00 04,2026-01-02,20",
        "3,o1,zed@example.com,,2026-01-03,30",
        "4,o2,,06 39 98 00 04,2026-01-04,40",
        "5,o0,zed@example.com,06 39 98 00 05,2026-01-05,50",
      ],
      events: [
        ",,06 39 98 00 05,visit,2026-01-06",
        ",zed@example.com,,visit,2026-01-07",
        "o3,zed@example.com,,open,2026-01-08",
      ],
      lists: ["Fans,,,06 39 98 00 04", "Fans,,zed@example.com,", "Club,o2,,"],
    });
    expect(shop.keys()).toEqual(["o0", "o1", "o2", "o3"]);
    expect(shop.profile("o0")).toMatchObject({
      first_name: "Zed",
      orders_count: 2,
      total_spent: 60,
      lists: ["Fans"],
    });
    expect(shop.profile("o2")).toMatchObject({ orders_count: 2, lists: ["Club", "Fans"] });
  });
});
