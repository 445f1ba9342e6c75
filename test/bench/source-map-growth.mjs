// `node test/bench/source-map-growth.mjs` (after `npm run build`): how the cost of mapping a
// `where:` scalar back to the YAML file grows with its length, for the segment-file checks of
// src/yaml/scalar-map.ts. Each size is timed at its best of several interleaved runs and
// printed with the ratio to the size before: linear work doubles at each doubling (about 2×),
// quadratic work quadruples (about 4×). A measure to read, not a test: durations depend on the
// machine and its load, so the suite asserts none (src/yaml/scalar-map.test.ts checks the
// 1 MB result itself).
import { mapScalar } from "../../dist/yaml/scalar-map.js";

const SIZES = [16_000, 32_000, 64_000, 128_000];
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

const sources = SIZES.map((repeats) => {
  const expression = `a = 1${" and a = 1".repeat(repeats)}`;
  const yaml = `where: ${expression}\n`;
  return { yaml, scalar: { style: "PLAIN", start: 7, end: yaml.length - 1, value: expression } };
});
const best = SIZES.map(() => Infinity);
for (let run = 0; run < RUNS; run++) {
  sources.forEach(({ yaml, scalar }, i) => {
    const started = performance.now();
    const map = mapScalar(yaml, scalar);
    best[i] = Math.min(best[i], performance.now() - started);
    if (!map.exact) throw new Error(`size ${SIZES[i]}: the map is not exact`);
  });
}
console.log("scalar length   best of %d   × the size before", RUNS);
sources.forEach(({ scalar }, i) => {
  const ratio = i === 0 ? "" : `${(best[i] / best[i - 1]).toFixed(2)}×`;
  console.log(
    `${scalar.value.length.toLocaleString("en-US").padStart(13)}   ${best[i].toFixed(1).padStart(8)} ms   ${ratio}`,
  );
});
