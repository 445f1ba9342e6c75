import { describe, expect, it } from "vitest";
import { CustomerStore, own } from "./store.js";

describe("CustomerStore", () => {
  it("marks the customers who share an email or a phone, and only them", () => {
    const store = new CustomerStore(0, []);
    const a = store.create(true);
    store.attach(a, "a", "shared@example.com", "+33639980001");
    const b = store.create(true);
    store.attach(b, "b", "b@example.com", "+33639980001");
    const c = store.create(true);
    store.attach(c, "c", "shared@example.com", undefined);
    // The same customer seen again with its own identifiers shares nothing.
    store.attach(b, "b", "b@example.com", undefined);
    expect([...store.sharedEmail.subarray(0, store.size)]).toEqual([1, 0, 1]);
    expect([...store.sharedPhone.subarray(0, store.size)]).toEqual([1, 1, 0]);
    expect(store.find(undefined, "shared@example.com", undefined)).toBe(a);
  });

  it("keeps the marks when it grows", () => {
    const store = new CustomerStore(0, []);
    for (let i = 0; i < 3000; i++)
      store.attach(store.create(true), `c${i}`, `${i % 1500}@x.fr`, undefined);
    expect(store.sharedEmail[0]).toBe(1);
    expect(store.sharedEmail[2999]).toBe(1);
    expect(store.sharedEmail.subarray(0, store.size).every((v) => v === 1)).toBe(true);
  });
});

describe("CustomerStore email and phone owners", () => {
  it("match rows without an id to the customer of the id that sorts first, else the first", () => {
    const store = new CustomerStore(0, []);
    const lead = store.create(false);
    store.attach(lead, undefined, "f@x.fr", "+33639980001");
    expect(store.find(undefined, "f@x.fr", undefined)).toBe(lead);
    const s2 = store.create(true);
    store.attach(s2, "s2", "f@x.fr", undefined);
    // A row with an id takes it from rows without one.
    expect(store.find(undefined, "f@x.fr", undefined)).toBe(s2);
    const s1 = store.create(true);
    store.attach(s1, "s1", "f@x.fr", undefined);
    expect(store.find(undefined, "f@x.fr", undefined)).toBe(s1);
    const s3 = store.create(true);
    store.attach(s3, "s3", "f@x.fr", undefined);
    expect(store.find(undefined, "f@x.fr", undefined)).toBe(s1);
    // A row without an id never takes it back; every carrier is marked as sharing it.
    store.attach(lead, undefined, "f@x.fr", undefined);
    expect(store.find(undefined, "f@x.fr", undefined)).toBe(s1);
    expect([...store.sharedEmail.subarray(0, store.size)]).toEqual([1, 1, 1, 1]);
    // Phones alike.
    store.attach(s2, "s2", undefined, "+33639980001");
    expect(store.find(undefined, undefined, "+33639980001")).toBe(s2);
  });

  it("keep, of emails met on other rows than contacts, the one that sorts first", () => {
    const store = new CustomerStore(0, []);
    const c = store.create(false);
    store.attach(c, "c", "zed@x.fr", "+33639980002");
    store.attach(c, "c", "amy@x.fr", "+33639980001");
    store.attach(c, "c", "bob@x.fr", "+33639980003");
    expect([store.email[c], store.phone[c], store.key(c)]).toEqual([
      "amy@x.fr",
      "+33639980001",
      "c",
    ]);
    // Every one of them still finds the customer.
    for (const email of ["zed@x.fr", "amy@x.fr", "bob@x.fr"])
      expect(store.find(undefined, email, undefined)).toBe(c);
  });
});

describe("own", () => {
  it("gives back the same text, short or long", () => {
    const row = "C100000,marie.dupont@example.org,Marie";
    expect(own(row.slice(0, 7))).toBe("C100000");
    expect(own(row.slice(8, 31))).toBe("marie.dupont@example.org".slice(0, 23));
    expect(own("é🙂".repeat(10))).toBe("é🙂".repeat(10));
  });
});
