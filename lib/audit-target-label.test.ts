import { describe, expect, it } from 'vitest';
import { auditTargetLabel } from './audit';

describe('auditTargetLabel', () => {
  it('names a user target by the username its details carry, not the internal id', () => {
    expect(auditTargetLabel({ targetType: 'user', targetId: 'cmx5lmhqa0001', details: { username: 'dr.kim' } })).toBe('dr.kim');
  });
  it('falls back to the id when no username was recorded (older entries), and to a dash with no target', () => {
    expect(auditTargetLabel({ targetType: 'user', targetId: 'cmx5lmhqa0001', details: {} })).toBe('cmx5lmhqa0001');
    expect(auditTargetLabel({ targetType: null, targetId: null, details: {} })).toBe('—');
  });
  it('never takes a username for a non-user target', () => {
    expect(auditTargetLabel({ targetType: 'token', targetId: 't1', details: { username: 'dr.kim' } })).toBe('t1');
  });
});
