/**
 * Keeps at most `limit` bytes of a stream: the head and the tail, since an agent's first lines
 * say what it tried and its last lines why it failed. What was dropped is marked in the text.
 */
export class BoundedBuffer {
  private head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private dropped = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    const headRoom = Math.floor(this.limit / 2) - this.headBytes;
    if (headRoom > 0) {
      const part = chunk.subarray(0, headRoom);
      this.head.push(part);
      this.headBytes += part.length;
      chunk = chunk.subarray(part.length);
    }
    if (chunk.length === 0) return;
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    const tailLimit = this.limit - Math.floor(this.limit / 2);
    while (this.tailBytes > tailLimit) {
      const first = this.tail[0];
      const excess = this.tailBytes - tailLimit;
      if (first.length <= excess) {
        this.tail.shift();
        this.tailBytes -= first.length;
        this.dropped += first.length;
      } else {
        this.tail[0] = first.subarray(excess);
        this.tailBytes -= excess;
        this.dropped += excess;
      }
    }
  }

  toString(): string {
    // Decoded whole when nothing was dropped, so a character split across head and tail survives.
    if (this.dropped === 0) return Buffer.concat([...this.head, ...this.tail]).toString('utf8');
    return `${Buffer.concat(this.head).toString('utf8')}\n[... ${this.dropped} bytes dropped ...]\n${Buffer.concat(this.tail).toString('utf8')}`;
  }
}
