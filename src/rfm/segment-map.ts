/**
 * Named RFM segments from the (R, F) scores. The default map is in docs/design.md#rfm; a custom map in
 * `audience.yaml` (`rfm: { segments: { name: ["5[4-5]", …] } }`) must name each of the 25 cells
 * exactly once.
 */

/** `map[r - 1][f - 1]` is the segment name of that cell. */
export type RfmMap = readonly (readonly string[])[];

export const DEFAULT_RFM_MAP: RfmMap = [
  // R = 1
  ["hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"],
  // R = 2
  ["hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"],
  // R = 3
  ["about_to_sleep", "about_to_sleep", "need_attention", "loyal_customers", "loyal_customers"],
  // R = 4
  ["promising", "potential_loyalists", "potential_loyalists", "loyal_customers", "loyal_customers"],
  // R = 5
  ["new_customers", "potential_loyalists", "potential_loyalists", "champions", "champions"],
];

/** The segment of customers who never bought. */
export const PROSPECTS = "prospects";

/** The default names from best to worst customers: the order reports list them in. */
const DEFAULT_ORDER = [
  "champions",
  "loyal_customers",
  "potential_loyalists",
  "new_customers",
  "promising",
  "need_attention",
  "about_to_sleep",
  "at_risk",
  "cant_lose",
  "hibernating",
];

/** Names in the order reports list them: the default order, then a custom map's other names. */
export function segmentNames(map: RfmMap): string[] {
  const present = new Set(map.flat());
  const names = DEFAULT_ORDER.filter((n) => present.has(n));
  for (let r = 5; r >= 1; r--) {
    for (let f = 5; f >= 1; f--) {
      const name = map[r - 1][f - 1];
      if (!names.includes(name)) names.push(name);
    }
  }
  return names;
}

export interface MapProblem {
  /** The segment name whose pattern is at fault, when there is one. */
  name?: string;
  pattern?: string;
  message: string;
}

const PATTERN =
  /^(?:[1-5]|\[[1-5](?:-[1-5])?(?:[1-5](?:-[1-5])?)*\]|\*|\?)(?:[1-5]|\[[1-5](?:-[1-5])?(?:[1-5](?:-[1-5])?)*\]|\*|\?)$/;

/**
 * Builds a map from `{ name: ["RF" patterns] }`. A pattern is two positions, R then F, each a
 * digit 1–5, a class like `[4-5]` or `[13]`, or `*` / `?` for any score.
 */
export function buildRfmMap(spec: Record<string, readonly string[]>): {
  map?: RfmMap;
  problems: MapProblem[];
} {
  const problems: MapProblem[] = [];
  const cells: string[][][] = Array.from({ length: 5 }, () => Array.from({ length: 5 }, () => []));
  for (const [name, patterns] of Object.entries(spec)) {
    if (name === PROSPECTS) {
      problems.push({
        name,
        message: `"${PROSPECTS}" is the segment of customers who never bought; name this one otherwise`,
      });
      continue;
    }
    for (const pattern of patterns) {
      if (!PATTERN.test(pattern)) {
        problems.push({
          name,
          pattern,
          message: `RFM pattern "${pattern}" of "${name}" is not valid: write R then F, each a score 1–5, a class like [4-5], or *`,
        });
        continue;
      }
      // `[5-1]` passes the shape check but is no character class: a RegExp would throw.
      const reversed = [...pattern.matchAll(/([1-5])-([1-5])/g)].find((m) => m[1] > m[2]);
      if (reversed !== undefined) {
        problems.push({
          name,
          pattern,
          message: `RFM pattern "${pattern}" of "${name}" is not valid: the range ${reversed[0]} runs backwards (write ${reversed[2]}-${reversed[1]})`,
        });
        continue;
      }
      const regex = new RegExp(`^${pattern.replace(/\*|\?/g, "[1-5]")}$`);
      for (let r = 1; r <= 5; r++) {
        for (let f = 1; f <= 5; f++) {
          if (regex.test(`${r}${f}`) && !cells[r - 1][f - 1].includes(name)) {
            cells[r - 1][f - 1].push(name);
          }
        }
      }
    }
  }
  const missing: string[] = [];
  for (let r = 5; r >= 1; r--) {
    for (let f = 5; f >= 1; f--) {
      const names = cells[r - 1][f - 1];
      if (names.length === 0) missing.push(`${r}${f}`);
      if (names.length > 1) {
        problems.push({
          name: names[1],
          message: `RFM cell R=${r} F=${f} is named twice: ${names.join(" and ")}`,
        });
      }
    }
  }
  if (missing.length > 0) {
    problems.push({
      message: `the RFM map leaves ${missing.length} cell${missing.length === 1 ? "" : "s"} unnamed (R then F): ${missing.join(", ")}`,
    });
  }
  if (problems.length > 0) return { problems };
  return { map: cells.map((row) => row.map((names) => names[0])), problems };
}
