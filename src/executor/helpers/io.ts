/** Where a helper writes: the process's streams, or a buffer in tests. */
export interface HelperIo {
  out(text: string): void;
  err(text: string): void;
}
