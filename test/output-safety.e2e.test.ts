/**
 * The output folder is audience's alone (issue 12, docs/reliability.md "Output folder"): a build
 * never replaces a folder audience did not write, nor one that holds what the run reads; the
 * previous manifest is read as untrusted input.
 */
import {
  cp,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli } from "./helpers/run-cli.js";

let work: string;
/** A fresh copy of fixtures/build for each test. */
let shop: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "audience-out-safety-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});
let n = 0;
beforeEach(async () => {
  shop = join(work, `shop${n++}`);
  await cp(join(REPO_ROOT, "fixtures/build"), shop, { recursive: true });
});

function build(out: string, args: string[] = [], opts: { cwd?: string; home?: string } = {}) {
  return runCli(
    ["build", "--config", join(shop, "audience.yaml"), "--out", out, "--quiet", ...args],
    {
      ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
      ...(opts.home === undefined ? {} : { env: { HOME: opts.home } }),
    },
  );
}

const listing = async (folder: string) => (await readdir(folder)).sort();

const refused = (display: string, relation: string, what: string) =>
  `error --out ${display} ${relation} ${what}: audience replaces the whole output folder\n` +
  "  hint: give audience a folder of its own for its files, e.g. --out out\n";

describe("an OUT that is not audience's own", () => {
  it("the current folder (--out .) is refused, nothing in it touched", async () => {
    const before = await listing(shop);
    const run = await build(".", [], { cwd: shop });
    expect([run.code, run.stdout, run.stderr]).toEqual([
      1,
      "",
      refused(".", "is", "the current folder"),
    ]);
    expect(await listing(shop)).toEqual(before);
  });

  it("the home folder, and a parent of it, are refused", async () => {
    const home = join(work, "home");
    await mkdir(home);
    await writeFile(join(home, "notes.txt"), "mine");
    const run = await build(home, [], { home });
    expect([run.code, run.stderr]).toEqual([1, refused(home, "is", "the home folder")]);
    const up = await build(work, [], { home });
    expect([up.code, up.stderr]).toEqual([1, refused(work, "holds", "the home folder")]);
    expect(await listing(home)).toEqual(["notes.txt"]);
  });

  it("the folder of the config, or a parent of it, is refused", async () => {
    const before = await listing(shop);
    const run = await build(shop);
    expect([run.code, run.stderr]).toEqual([
      1,
      refused(shop, "holds", `the config file ${shop}/audience.yaml`),
    ]);
    expect(await listing(shop)).toEqual(before);
  });

  it("a folder holding an input, the segment files or the --rejects file is refused", async () => {
    const data = join(work, `data${n}`);
    await mkdir(data);
    await cp(join(shop, "orders.csv"), join(data, "orders.csv"));
    const input = await build(data, ["--orders", join(data, "orders.csv")]);
    expect([input.code, input.stderr]).toEqual([
      1,
      refused(data, "holds", `the input ${data}/orders.csv`),
    ]);
    const segs = join(work, `segs${n}`);
    await mkdir(segs);
    await cp(join(shop, "segments.yaml"), join(segs, "segments.yaml"));
    const segments = await build(segs, ["--segments", segs]);
    expect([segments.code, segments.stderr]).toEqual([
      1,
      refused(segs, "is", `the segment files ${segs}`),
    ]);
    const out = join(work, `rej${n}`);
    const rejects = await build(out, ["--rejects", join(out, "rejects.csv")]);
    expect([rejects.code, rejects.stderr]).toEqual([
      1,
      refused(out, "holds", `the --rejects file ${out}/rejects.csv`),
    ]);
    await expect(lstat(out)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("an input or the --rejects file inside an existing OUT (through its link) is refused before reading", async () => {
    const out = join(shop, "out");
    expect((await build(out)).code).toBe(0);
    const target = await readlink(out);
    const before = await listing(out);
    const input = await build(out, ["--orders", join(out, "crm.csv")]);
    expect([input.code, input.stderr]).toEqual([
      1,
      refused(out, "holds", `the input ${out}/crm.csv`),
    ]);
    // Outside build, too: a --rejects file in a build folder would vanish at the next build.
    const count = await runCli([
      "count",
      "--config",
      join(shop, "audience.yaml"),
      "--rejects",
      join(out, "rejects.csv"),
      "--quiet",
    ]);
    expect([count.code, count.stdout, count.stderr]).toEqual([
      2,
      "",
      `error --rejects ${out}/rejects.csv is inside an output folder of audience: the next build would delete it\n` +
        "  hint: write the rejected rows beside the output folder, e.g. --rejects rejects.csv\n",
    ]);
    expect(await readlink(out)).toBe(target);
    expect(await listing(out)).toEqual(before);
  });

  it("a web app's folder with a manifest.json, even {}, is not an output of audience", async () => {
    for (const manifest of ["{}", '{"tool":"audience","segments":[]}', '{"name":"webapp"}']) {
      const web = join(work, `web${n++}`);
      await mkdir(web);
      await writeFile(join(web, "manifest.json"), manifest);
      await writeFile(join(web, "index.html"), "<h1>hi</h1>");
      const run = await build(web);
      expect([run.code, run.stderr]).toEqual([
        1,
        `error --out ${web} is a folder with other files in it, not an output of audience\n` +
          "  hint: audience replaces the whole output folder: choose an empty or new folder\n",
      ]);
      expect(await listing(web)).toEqual(["index.html", "manifest.json"]);
    }
  });

  it("an OUT link to a folder that is not a build of audience is refused, not repointed", async () => {
    const web = join(shop, "site");
    await mkdir(web);
    await writeFile(join(web, "index.html"), "<h1>hi</h1>");
    const out = join(shop, "out");
    await symlink("site", out);
    const run = await build(out);
    expect([run.code, run.stderr]).toEqual([
      1,
      `error --out ${out} is a link to site, which is not a build folder of audience: it is left as it is\n` +
        "  hint: remove the link or choose another --out\n",
    ]);
    expect(await readlink(out)).toBe("site");
    expect(await listing(web)).toEqual(["index.html"]);
  });

  it("a link named like a build folder but holding other files is refused too", async () => {
    const fake = join(shop, ".out.build-fake");
    await mkdir(fake);
    await writeFile(join(fake, "thesis.docx"), "years of work");
    await symlink(".out.build-fake", join(shop, "out"));
    const run = await build(join(shop, "out"));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("which is not a build folder of audience: it is left as it is");
    expect(await listing(fake)).toEqual(["thesis.docx"]);
  });
});

describe("outputs of audience 0.1 (manifest.json, no marker)", () => {
  async function legacyOutput(): Promise<string> {
    const out = join(shop, "out");
    expect((await build(join(shop, "new"))).code).toBe(0);
    await mkdir(out);
    for (const f of await readdir(join(shop, "new")))
      if (f !== ".audience-output.json") await cp(join(shop, "new", f), join(out, f));
    return out;
  }

  it("exactly the structure audience wrote: accepted and replaced by a marked build", async () => {
    const out = await legacyOutput();
    const run = await build(out);
    expect([run.code, run.stderr]).toEqual([0, ""]);
    expect((await lstat(out)).isSymbolicLink()).toBe(true);
    expect(await listing(out)).toContain(".audience-output.json");
  });

  it("with one more file in it: refused, nothing deleted", async () => {
    const out = await legacyOutput();
    await writeFile(join(out, "notes.txt"), "mine");
    const before = await listing(out);
    const run = await build(out);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("is a folder with other files in it, not an output of audience");
    expect(await listing(out)).toEqual(before);
  });
});

describe("the previous manifest is untrusted input", () => {
  async function builtThenEdited(edit: (manifest: string) => string): Promise<string> {
    const out = join(shop, "out");
    expect((await build(out)).code).toBe(0);
    const path = join(out, "manifest.json");
    const text = await readFile(path, "utf8");
    await rm(path);
    await writeFile(path, edit(text));
    return out;
  }

  const invalid = (out: string, what: string) =>
    `error ${out}/manifest.json is not a manifest of audience: ${what}\n` +
    "  hint: the output folder was changed by hand: move it away (or delete it), then build again\n";

  it("a file name with a path (--only would link it from outside OUT): exit 1", async () => {
    const secret = join(work, "secret.txt");
    await writeFile(secret, "private");
    const out = await builtThenEdited((m) =>
      m.replace('"file": "crm.csv"', `"file": "../../${"secret.txt"}"`),
    );
    const run = await build(out, ["--only", "everyone"]);
    expect([run.code, run.stdout, run.stderr]).toEqual([
      1,
      "",
      invalid(out, 'segments[3].file must be the plain file name "crm.csv"'),
    ]);
  });

  it("a manifest that is not JSON, or a count that is not a number: exit 1, not 70", async () => {
    const out = await builtThenEdited(() => "{ not json");
    const run = await build(out);
    expect([run.code, run.stderr]).toEqual([1, invalid(out, "it is not valid JSON")]);
    await rm(join(shop, "out"));
    const out2 = await builtThenEdited((m) => m.replace(/"written": 4,/, '"written": "4",'));
    const run2 = await build(out2);
    expect([run2.code, run2.stderr]).toEqual([
      1,
      invalid(out2, "segments[0].written is not a count"),
    ]);
  });

  it("a previous file missing with --only: exit 1 with what to do", async () => {
    const out = join(shop, "out");
    expect((await build(out)).code).toBe(0);
    await rm(join(out, "crm.csv"));
    const run = await build(out, ["--only", "everyone"]);
    expect([run.code, run.stderr]).toEqual([
      1,
      `error ${out}/crm.csv is missing, but the previous manifest.json lists it: it cannot be kept with --only\n` +
        "  hint: build every segment once (without --only)\n",
    ]);
  });
});
