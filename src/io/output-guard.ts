/**
 * The output folder is audience's alone (docs/reliability.md, "Output folder").
 *
 * A build replaces OUT whole, so OUT is replaced only when it provably is an output of audience:
 * every build folder holds a marker, `.audience-output.json`, that audience writes first, with a
 * format version. OUT is never the current folder, the home folder, or a folder that holds (or is)
 * the config, an input, the segment files or the `--rejects` file; an OUT link to anything but a
 * build folder of audience is refused, not repointed.
 *
 * Outputs of audience 0.1 (before the marker) are recognised by their exact structure: a
 * manifest.json of audience and the files it lists, nothing else. Anything more, or less, is
 * refused with a message; nothing is deleted.
 */
import { lstat, readdir, readFile, readlink, realpath, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, dirname, join, resolve, sep } from "node:path";
import { UserError } from "../errors.js";
import { parsePreviousManifest, type PreviousManifest } from "./previous-manifest.js";

export const OUTPUT_MARKER = ".audience-output.json";
/** The layout of a build folder: bump when a build folder changes in a way older versions misread. */
export const OUTPUT_FORMAT = 1;

export interface OutputPlace {
  /** OUT (absolute). */
  out: string;
  display: string;
}

/** A file or folder a build must never replace. */
export interface OwnedPath {
  /** For messages: "the input orders.csv". */
  what: string;
  path: string;
}

/** Writes the marker into a new build folder (before anything else). */
export async function writeOutputMarker(folder: string): Promise<void> {
  const marker = { tool: "audience", output_format: OUTPUT_FORMAT };
  await writeFile(join(folder, OUTPUT_MARKER), `${JSON.stringify(marker)}\n`, { flag: "wx" });
}

/** The real path of `path`, through every link, also when its last parts do not exist yet. */
async function realish(path: string): Promise<string> {
  const rest: string[] = [];
  let current = resolve(path);
  for (;;) {
    try {
      return join(await realpath(current), ...rest.reverse());
    } catch {
      const up = dirname(current);
      if (up === current) return resolve(path);
      rest.push(basename(current));
      current = up;
    }
  }
}

const within = (inner: string, outer: string) =>
  inner === outer || inner.startsWith(outer.endsWith(sep) ? outer : outer + sep);

function refuse(place: OutputPlace, relation: string, what: string): UserError {
  return new UserError(
    "OUTPUT_NOT_OWN",
    `--out ${place.display} ${relation} ${what}: audience replaces the whole output folder`,
    { hint: "give audience a folder of its own for its files, e.g. --out out" },
  );
}

/**
 * Refuses an OUT that a build would destroy along with files that are not audience's: checked
 * before the lock is taken and before anything is read.
 */
export async function checkOutputPlace(
  place: OutputPlace,
  owned: readonly OwnedPath[],
  cwd: string,
): Promise<void> {
  // OUT as a name in its (real) parent folder, and the folder it points to now.
  const named = join(await realish(dirname(place.out)), basename(place.out));
  const target = await realish(place.out);
  const outs = named === target ? [named] : [named, target];
  for (const [what, path] of [
    ["the current folder", cwd],
    ["the home folder", homedir()],
  ] as const) {
    const real = await realish(path);
    for (const out of outs) {
      if (real === out) throw refuse(place, "is", what);
      if (within(real, out)) throw refuse(place, "holds", what);
    }
  }
  for (const file of owned) {
    const real = await realish(file.path);
    for (const out of outs) {
      if (within(real, out)) throw refuse(place, real === out ? "is" : "holds", file.what);
    }
  }
}

/** Whether `path` is in a build folder of audience (through OUT's link, or beside it). */
export async function insideAudienceOutput(path: string): Promise<boolean> {
  let folder = dirname(await realish(path));
  for (;;) {
    if ((await lstat(join(folder, OUTPUT_MARKER)).catch(() => undefined)) !== undefined)
      return true;
    const up = dirname(folder);
    if (up === folder) return false;
    folder = up;
  }
}

/** Whether a folder is a build folder of audience: its marker, readable and not from the future. */
async function markerOf(folder: string, display: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(join(folder, OUTPUT_MARKER), "utf8");
  } catch {
    return false;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  const v = value as { tool?: unknown; output_format?: unknown } | null;
  if (v === null || typeof v !== "object" || v.tool !== "audience") return false;
  if (typeof v.output_format !== "number" || !Number.isSafeInteger(v.output_format)) return false;
  if (v.output_format > OUTPUT_FORMAT)
    throw new UserError(
      "OUTPUT_NEWER",
      `--out ${display} was written by a newer audience (output format ${v.output_format}; this one writes ${OUTPUT_FORMAT})`,
      { hint: "upgrade audience, or choose another --out" },
    );
  return v.output_format >= 1;
}

export type Ownership =
  { kind: "empty" } | { kind: "audience"; manifest: PreviousManifest } | { kind: "other" };

/**
 * What a folder is: empty, a build of audience (with its checked manifest), or something else.
 * `display` names the folder in messages.
 */
export async function ownershipOf(folder: string, display: string): Promise<Ownership> {
  const entries = await readdir(folder);
  if (entries.length === 0) return { kind: "empty" };
  const manifestDisplay = `${display}/manifest.json`;
  if (await markerOf(folder, display)) {
    let text: string;
    try {
      text = await readFile(join(folder, "manifest.json"), "utf8");
    } catch {
      throw new UserError(
        "OUTPUT_MANIFEST_INVALID",
        `${manifestDisplay} is missing: the output folder was changed by hand`,
        { hint: "move the output folder away (or delete it), then build again" },
      );
    }
    return { kind: "audience", manifest: parsePreviousManifest(text, manifestDisplay) };
  }
  // An output of audience 0.1: its manifest and the files it lists, nothing else.
  if (!entries.includes("manifest.json")) return { kind: "other" };
  let manifest: PreviousManifest;
  try {
    manifest = parsePreviousManifest(
      await readFile(join(folder, "manifest.json"), "utf8"),
      manifestDisplay,
    );
  } catch {
    return { kind: "other" };
  }
  const expected = new Set([
    "manifest.json",
    ...manifest.segments.map((s) => s.file),
    ...(manifest.report === undefined ? [] : [manifest.report]),
  ]);
  if (entries.length !== expected.size || entries.some((e) => !expected.has(e)))
    return { kind: "other" };
  for (const entry of entries) {
    if (!(await lstat(join(folder, entry))).isFile()) return { kind: "other" };
  }
  return { kind: "audience", manifest };
}

export interface OutputNow {
  /** The folder OUT resolves to, when it exists. */
  folder?: string;
  manifest?: PreviousManifest;
}

/**
 * What OUT holds now, refusing anything audience did not write: a link must point to a build
 * folder of audience beside it (`.OUT.build-…`), a folder must be empty or an output of audience.
 */
export async function inspectOutput(place: OutputPlace): Promise<OutputNow | "missing"> {
  let info;
  try {
    info = await lstat(place.out);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "missing";
    throw error;
  }
  const parent = dirname(place.out);
  const name = basename(place.out);
  if (info.isSymbolicLink()) {
    const link = await readlink(place.out);
    const target = resolve(parent, link);
    const notOurs = new UserError(
      "OUTPUT_NOT_AUDIENCE",
      `--out ${place.display} is a link to ${link}, which is not a build folder of audience: it is left as it is`,
      { hint: "remove the link or choose another --out" },
    );
    if (dirname(target) !== parent || !basename(target).startsWith(`.${name}.build-`))
      throw notOurs;
    const targetInfo = await lstat(target).catch(() => undefined);
    // A link of audience whose build folder was deleted by hand: nothing to keep.
    if (targetInfo === undefined) return {};
    if (!targetInfo.isDirectory()) throw notOurs;
    const owner = await ownershipOf(target, place.display);
    if (owner.kind === "other") throw notOurs;
    return owner.kind === "audience"
      ? { folder: target, manifest: owner.manifest }
      : { folder: target };
  }
  if (!info.isDirectory()) {
    throw new UserError("OUTPUT_IS_A_FILE", `--out ${place.display} is a file, not a folder`, {
      hint: "choose a folder for the audience files",
    });
  }
  const owner = await ownershipOf(place.out, place.display);
  if (owner.kind === "other") {
    throw new UserError(
      "OUTPUT_NOT_AUDIENCE",
      `--out ${place.display} is a folder with other files in it, not an output of audience`,
      { hint: "audience replaces the whole output folder: choose an empty or new folder" },
    );
  }
  return owner.kind === "audience"
    ? { folder: place.out, manifest: owner.manifest }
    : { folder: place.out };
}
