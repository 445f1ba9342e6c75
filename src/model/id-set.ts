/**
 * A set of strings kept as two 32-bit hashes each (16 bytes a slot at most), for the ids of orders
 * already closed: enough to notice an order id coming back later in the file without keeping every
 * id string in memory. A false "seen" needs both hashes to collide (about 1 in 10^19 per pair).
 */
export class HashedIdSet {
  private table = new Uint32Array(1 << 12);
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(id: string): void {
    if ((this.count + 1) * 2 > this.table.length / 2) this.grow();
    this.insert(hashA(id), hashB(id));
  }

  has(id: string): boolean {
    const a = hashA(id);
    const b = hashB(id);
    const slots = this.table.length / 2;
    let i = a % slots;
    for (;;) {
      const sa = this.table[2 * i];
      const sb = this.table[2 * i + 1];
      if (sa === 0 && sb === 0) return false;
      if (sa === a && sb === b) return true;
      i = (i + 1) % slots;
    }
  }

  private insert(a: number, b: number): void {
    const slots = this.table.length / 2;
    let i = a % slots;
    for (;;) {
      const sa = this.table[2 * i];
      const sb = this.table[2 * i + 1];
      if (sa === 0 && sb === 0) {
        this.table[2 * i] = a;
        this.table[2 * i + 1] = b;
        this.count++;
        return;
      }
      if (sa === a && sb === b) return;
      i = (i + 1) % slots;
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = new Uint32Array(old.length * 2);
    this.count = 0;
    for (let i = 0; i < old.length; i += 2) {
      if (old[i] !== 0 || old[i + 1] !== 0) this.insert(old[i], old[i + 1]);
    }
  }
}

/** FNV-1a, 32 bits; never 0 so that (0, 0) can mark an empty slot. */
function hashA(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
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
  return (h ^ (h >>> 16)) >>> 0 || 1;
}
