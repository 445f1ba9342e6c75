/**
 * The ids of the orders already closed in a run, each tagged with the orders file that closed it
 * last: one set for the whole run tells both an id coming back later in the same file (a
 * reject) and the same order in an earlier file (two downloads that overlap: read once).
 *
 * An id is kept as two 32-bit hashes, never as its string: 8 bytes a slot plus the file tag (1
 * byte, wider only past 255 files), at most three slots in four used, so 9.6 to 19 bytes an id
 * (5 million ids: 72 MiB). A false "seen" needs both hashes to collide (about 1 in 10^19 per pair).
 */
export class OrderIdSet {
  private table = new Uint32Array(2 << 12);
  private files: Uint8Array | Uint16Array | Uint32Array = new Uint8Array(1 << 12);
  private count = 0;

  /** Distinct ids held. */
  get size(): number {
    return this.count;
  }

  /** Slots allocated (each 8 bytes and a tag): the set's memory, for tests. */
  get slots(): number {
    return this.files.length;
  }

  /** The file (a number from 0) that last closed `id`, or -1 if no file did. */
  fileOf(id: string): number {
    const i = this.find(hashA(id), hashB(id));
    return this.table[2 * i] === 0 ? -1 : (this.files[i] as number);
  }

  /** Records that file `file` closed `id` (replacing the file that closed it before). */
  add(id: string, file: number): void {
    if (file > 0xff && this.files instanceof Uint8Array) this.files = Uint16Array.from(this.files);
    if (file > 0xffff && !(this.files instanceof Uint32Array))
      this.files = Uint32Array.from(this.files);
    if ((this.count + 1) * 4 > this.files.length * 3) this.grow();
    this.put(hashA(id), hashB(id), file);
  }

  /** The slot holding (a, b), or the empty slot where it would go (linear probing). */
  private find(a: number, b: number): number {
    const table = this.table;
    const mask = this.files.length - 1;
    let i = a & mask;
    for (;;) {
      const sa = table[2 * i];
      if (sa === 0 || (sa === a && table[2 * i + 1] === b)) return i;
      i = (i + 1) & mask;
    }
  }

  private put(a: number, b: number, file: number): void {
    const i = this.find(a, b);
    if (this.table[2 * i] === 0) {
      this.table[2 * i] = a;
      this.table[2 * i + 1] = b;
      this.count++;
    }
    this.files[i] = file;
  }

  private grow(): void {
    const table = this.table;
    const files = this.files;
    const slots = files.length * 2;
    this.table = new Uint32Array(slots * 2);
    this.files = new (files.constructor as new (n: number) => typeof files)(slots);
    this.count = 0;
    for (let i = 0; i < files.length; i++) {
      if (table[2 * i] !== 0) this.put(table[2 * i], table[2 * i + 1], files[i] as number);
    }
  }
}

/** FNV-1a, 32 bits; never 0, so that 0 marks an empty slot. */
function hashA(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // FNV's low bits pick the slot: mix them with the high ones first.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0 || 1;
}

/** A second, independent hash (a murmur3-style mix of the characters). */
function hashB(text: string): number {
  let h = 0x9747b28c ^ text.length;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x5bd1e995);
    h ^= h >>> 15;
  }
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
