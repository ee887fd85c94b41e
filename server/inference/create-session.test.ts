import { describe, expect, it } from 'vitest';
import { sessionOptions } from './create-session';

describe('sessionOptions', () => {
  it('full graph optimisation, the given intra-op threads, one inter-op thread, no spinning after a run', () => {
    const o = sessionOptions('cpu', 3);
    expect(o).toMatchObject({
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      enableCpuMemArena: true,
      enableMemPattern: true,
      interOpNumThreads: 1,
      intraOpNumThreads: 3,
    });
    // Spinning threads would hold a core the decode workers and the event loop need.
    expect(o.extra).toEqual({ session: { intra_op: { allow_spinning: '0' } } });
  });

  it('keeps onnxruntime quiet about providers that are expected to be missing', () => {
    expect(sessionOptions('cpu', 1).logSeverityLevel).toBe(2);
    expect(sessionOptions('webgpu', 1).logSeverityLevel).toBe(4);
  });
});
