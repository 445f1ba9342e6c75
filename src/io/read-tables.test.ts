import { describe, expect, it } from "vitest";
import { UserError } from "../errors.js";
import { databaseError, databaseTarget, quoteIdent, withoutPassword } from "./read-tables.js";

const first = {
  kind: "orders",
  source: { table: { name: "orders" }, at: { file: "audience.yaml", line: 3, column: 1 } },
};
const target = { url: "postgres://me:pw@db/shop", shown: "postgres://me@db/shop" };

describe("databaseTarget", () => {
  it("reads a URL or env:NAME, and shows it without the password", () => {
    expect(
      databaseTarget({ given: "postgres://me:s3cret@db:5433/shop", from: "database:" }, {}, first),
    ).toEqual({ url: "postgres://me:s3cret@db:5433/shop", shown: "postgres://me@db:5433/shop" });
    expect(
      databaseTarget(
        { given: "env:SHOP_DB", from: "database:" },
        { SHOP_DB: "postgresql://h/x" },
        first,
      ),
    ).toEqual({ url: "postgresql://h/x", shown: "postgresql://h/x" });
  });

  it("says what is missing or wrong, never echoing the text", () => {
    const fails = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return error instanceof UserError ? `${error.code}: ${error.message}` : String(error);
      }
      return "no error";
    };
    expect(fails(() => databaseTarget(undefined, {}, first))).toBe(
      "NO_DATABASE: audience.yaml:3:1: orders is read from a database, but no database is given",
    );
    expect(fails(() => databaseTarget({ given: "env:NOPE", from: "database:" }, {}, first))).toBe(
      "NO_DATABASE: database: env:NOPE: the environment variable NOPE is not set",
    );
    const bad = fails(() =>
      databaseTarget({ given: "mysql://u:s3cret@h/x", from: "--database" }, {}, first),
    );
    expect(bad).toBe(
      "BAD_DATABASE_URL: --database is not a PostgreSQL URL: expected postgres://user:password@host:5432/database",
    );
  });

  it("removes a password given as a parameter too", () => {
    expect(withoutPassword(new URL("postgres://me@db/shop?password=x&sslmode=require"))).toBe(
      "postgres://me@db/shop?sslmode=require",
    );
  });
});

describe("databaseError", () => {
  const at = { file: "audience.yaml", line: 4, column: 1 };
  it("turns failures into one line, located when they concern an input", () => {
    const lines = [
      databaseError({ code: "ECONNREFUSED", message: "connect ECONNREFUSED 1.2.3.4:5432" }, target),
      databaseError(
        { code: "28P01", message: 'password authentication failed for user "me"' },
        target,
      ),
      databaseError(
        { code: "57014", message: "canceling statement due to statement timeout" },
        target,
        {
          kind: "orders",
          at,
          what: "table orders",
        },
      ),
      databaseError({ code: "57014", message: "canceling statement due to user request" }, target),
      databaseError(new Error("Connection terminated unexpectedly"), target),
      databaseError({ code: "XX000", message: "internal\nerror" }, target),
    ].map((e) => e.message);
    expect(lines).toEqual([
      "cannot connect to database postgres://me@db/shop: connection refused (is the server running on that host and port?)",
      'cannot log in to database postgres://me@db/shop: password authentication failed for user "me"',
      "audience.yaml:4:1: orders (table orders): the server stopped the query: statement timeout (statement_timeout of the database user)",
      "database postgres://me@db/shop: the server cancelled the query (pg_cancel_backend, or an administrator)",
      "database postgres://me@db/shop closed the connection",
      "database postgres://me@db/shop: internal error (SQLSTATE XX000)",
    ]);
    for (const line of lines) expect(line).not.toContain("pw");
  });

  it("quotes identifiers as written", () => {
    expect(quoteIdent('Order "Lines"')).toBe('"Order ""Lines"""');
  });
});
