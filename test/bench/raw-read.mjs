// The raw read: bytes from disk (page cache), nothing else. Usage: node raw-read.mjs FILE...
import { createReadStream } from "node:fs";

let bytes = 0;
for (const file of process.argv.slice(2)) {
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }))
    bytes += chunk.length;
}
console.log(bytes);
