// The floor of the chosen parser: csv-parse parsing the files with the options audience uses,
// doing nothing with the records. Usage: node parse-floor.mjs FILE...
import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
import { parse } from "csv-parse";

let rows = 0;
for (const file of process.argv.slice(2)) {
  let stream = createReadStream(file, { highWaterMark: 1 << 20 });
  if (file.endsWith(".gz")) stream = stream.pipe(createGunzip());
  const parser = stream.pipe(
    parse({
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      record_delimiter: ["\r\n", "\n", "\r"],
    }),
  );
  await new Promise((resolve, reject) => {
    parser.on("data", () => {
      rows++;
    });
    parser.on("end", resolve);
    parser.on("error", reject);
  });
}
console.log(rows);
