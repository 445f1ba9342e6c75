/**
 * The manifest of the previous build (`Manifest`, manifest.ts), read back for `max_change` guards and `--only` carry-over.
 * It is untrusted input like any file on disk: it is checked field by field, and only the fields
 * checked here are ever used (or copied into the next manifest). A file name must be a plain name
 * — `<segment id>.csv`, no folder, no `..` — so that `--only` can never link a file from outside
 * OUT.
 */
import { UserError } from "../errors.js";
import type { Manifest, ManifestFile, ManifestSegment } from "./manifest.js";

/** What a build uses of the previous build's manifest: the part of `Manifest` checked here. */
export interface PreviousManifest {
  /** As written, but for `carried_over`, which is never read back. */
  segments: Omit<ManifestSegment, "carried_over">[];
  /** `--hash` of the whole build, as versions before per-file `hashed` recorded it. */
  hash?: Manifest["hash"];
  /** The file name of the report page the build wrote beside the segment files. */
  report?: Manifest["report"]["file"];
}

/** A segment id, as segment files allow them (BAD_KEY). */
const SEGMENT_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const SHA256 = /^[0-9a-f]{64}$/;

function count(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Parses the text of `manifest.json`; `display` names it in messages (`out/manifest.json`).
 * Anything but a manifest audience writes is a UserError (exit 1) saying what is wrong where.
 */
export function parsePreviousManifest(text: string, display: string): PreviousManifest {
  const bad = (what: string) =>
    new UserError("OUTPUT_MANIFEST_INVALID", `${display} is not a manifest of audience: ${what}`, {
      hint: "the output folder was changed by hand: move it away (or delete it), then build again",
    });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw bad("it is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw bad("expected a JSON object");
  const root = value as Record<string, unknown>;
  if (root.tool !== "audience") throw bad('expected "tool": "audience"');
  if (!Array.isArray(root.segments)) throw bad('expected "segments": a list');
  const segments: PreviousManifest["segments"] = [];
  const ids = new Set<string>();
  for (const [i, item] of (root.segments as unknown[]).entries()) {
    const at = `segments[${i}]`;
    if (typeof item !== "object" || item === null || Array.isArray(item))
      throw bad(`${at} is not an object`);
    const s = item as Record<string, unknown>;
    if (typeof s.id !== "string" || !SEGMENT_ID.test(s.id))
      throw bad(`${at}.id is not a segment id`);
    if (ids.has(s.id)) throw bad(`${at}.id "${s.id}" appears twice`);
    ids.add(s.id);
    if (s.file !== `${s.id}.csv`) throw bad(`${at}.file must be the plain file name "${s.id}.csv"`);
    if (typeof s.sha256 !== "string" || !SHA256.test(s.sha256))
      throw bad(`${at}.sha256 is not a SHA-256`);
    for (const key of ["name", "channel", "format"] as const)
      if (typeof s[key] !== "string") throw bad(`${at}.${key} is not a string`);
    for (const key of ["matched", "reachable", "written"] as const)
      if (!count(s[key])) throw bad(`${at}.${key} is not a count`);
    if (s.assigned !== undefined && !count(s.assigned)) throw bad(`${at}.assigned is not a count`);
    if (s.hashed !== undefined && typeof s.hashed !== "boolean")
      throw bad(`${at}.hashed is not true or false`);
    for (const key of ["entered", "exited"] as const)
      if (s[key] !== undefined && !count(s[key])) throw bad(`${at}.${key} is not a count`);
    let changes: ManifestSegment["changes"];
    if (s.changes !== undefined) {
      const c = s.changes as Record<string, unknown> | null;
      if (typeof c !== "object" || c === null || Array.isArray(c))
        throw bad(`${at}.changes is not an object`);
      const file = (which: "entered" | "exited"): ManifestFile => {
        const f = c[which] as Record<string, unknown> | null | undefined;
        const name = `changes/${s.id as string}.${which}.csv`;
        if (typeof f !== "object" || f === null || f.file !== name)
          throw bad(`${at}.changes.${which}.file must be "${name}"`);
        if (typeof f.sha256 !== "string" || !SHA256.test(f.sha256))
          throw bad(`${at}.changes.${which}.sha256 is not a SHA-256`);
        return { file: name, sha256: f.sha256 };
      };
      changes = { entered: file("entered"), exited: file("exited") };
    }
    segments.push({
      id: s.id,
      name: s.name as string,
      channel: s.channel as string,
      format: s.format as string,
      matched: s.matched as number,
      reachable: s.reachable as number,
      ...(s.assigned === undefined ? {} : { assigned: s.assigned as number }),
      written: s.written as number,
      file: s.file,
      sha256: s.sha256,
      ...(s.hashed === undefined ? {} : { hashed: s.hashed }),
      ...(s.entered === undefined ? {} : { entered: s.entered as number }),
      ...(s.exited === undefined ? {} : { exited: s.exited as number }),
      ...(changes === undefined ? {} : { changes }),
    });
  }
  if (root.hash !== undefined && typeof root.hash !== "boolean")
    throw bad('"hash" is not true or false');
  const hash = root.hash === undefined ? {} : { hash: root.hash };
  const report = root.report as { file?: unknown; sha256?: unknown } | undefined;
  if (report !== undefined) {
    if (report === null || report.file !== "report.html" || typeof report.sha256 !== "string")
      throw bad('expected "report": { "file": "report.html", "sha256": … }');
    if (!SHA256.test(report.sha256)) throw bad("report.sha256: expected 64 hex digits");
    return { segments, ...hash, report: report.file };
  }
  return { segments, ...hash };
}
