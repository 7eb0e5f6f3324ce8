import { describe, expect, it } from 'vitest';
import { splitBrainEvidence } from './split-brain.js';

describe('split-brain evidence from two passes over /proc', () => {
  it('needs the process read first to outlive the read of the other side', () => {
    // Side 0 fenced right after its read, side 1 started right before its read: no overlap proven.
    expect(splitBrainEvidence([{ side: 0, pid: 10 }, { side: 1, pid: 20 }], [{ side: 1, pid: 20 }])).toBeNull();
    expect(splitBrainEvidence([{ side: 1, pid: 5 }, { side: 0, pid: 10 }], [{ side: 0, pid: 10 }])).toBeNull();
    // A new process with another pid is not the one that was read.
    expect(splitBrainEvidence([{ side: 0, pid: 10 }, { side: 1, pid: 20 }], [{ side: 0, pid: 11 }])).toBeNull();
    expect(splitBrainEvidence([{ side: 0, pid: 10 }, { side: 1, pid: 20 }], [{ side: 0, pid: 10 }])).toMatch(/pid 10 .* pid 20/);
    expect(splitBrainEvidence([{ side: 1, pid: 5 }, { side: 0, pid: 10 }], [{ side: 1, pid: 5 }, { side: 0, pid: 10 }])).toMatch(/pid 5 .* pid 10/);
    expect(splitBrainEvidence([{ side: 0, pid: 10 }, { side: 0, pid: 12 }], [{ side: 0, pid: 10 }, { side: 0, pid: 12 }])).toBeNull();
  });
});
