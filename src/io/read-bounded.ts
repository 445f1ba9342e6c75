/**
 * Whole-file reads with a size limit, for the hand-written files (audience.yaml, segment files).
 * The limit is enforced while reading, not from the file's stated size: a device or a pipe has no
 * size, and one that never ends (/dev/zero given by mistake) must stop at the limit instead of
 * filling the memory.
 */
import { createReadStream } from "node:fs";

/** The file's bytes, or `undefined` when it holds more than `limit` bytes. */
export async function readFileAtMost(path: string, limit: number): Promise<Buffer | undefined> {
  const stream = createReadStream(path, { highWaterMark: Math.min(limit + 1, 1 << 16) });
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream) {
      const bytes = chunk as Buffer;
      length += bytes.length;
      if (length > limit) return undefined;
      chunks.push(bytes);
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks, length);
}
