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

describe("own", () => {
  it("gives back the same text, short or long", () => {
    const row = "C100000,marie.dupont@example.org,Marie";
    expect(own(row.slice(0, 7))).toBe("C100000");
    expect(own(row.slice(8, 31))).toBe("marie.dupont@example.org".slice(0, 23));
    expect(own("é🙂".repeat(10))).toBe("é🙂".repeat(10));
  });
});
