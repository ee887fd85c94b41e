import { describe, expect, it } from 'vitest';
import { modelManifestSchema } from '@/lib/model-manifest';
import { RESEARCH_BADGE, researchBadgeFor } from './research-badge-text';

describe('researchBadgeFor', () => {
  it('shows the badge for a research model, and for a model whose manifest leaves it out', () => {
    expect(researchBadgeFor({ status: 'ok', model: { name: 'm', version: '1.0.0', provider: 'cpu', intendedUse: 'research' } })).toBe(RESEARCH_BADGE);
    expect(researchBadgeFor({ status: 'ok', model: { name: 'm', version: '1.0.0', provider: 'cpu' } })).toBe(RESEARCH_BADGE);
  });

  it('hides it for a clinical model, without a model, and for a body it cannot read', () => {
    expect(researchBadgeFor({ model: { name: 'm', intendedUse: 'clinical' } })).toBeNull();
    expect(researchBadgeFor({ model: null })).toBeNull();
    expect(researchBadgeFor('oops')).toBeNull();
    expect(researchBadgeFor(null)).toBeNull();
  });
});

describe('manifest intendedUse', () => {
  it('is optional and accepts only research or clinical', () => {
    const shape = modelManifestSchema.shape.intendedUse;
    expect(shape.safeParse(undefined).success).toBe(true);
    expect(shape.safeParse('research').success).toBe(true);
    expect(shape.safeParse('clinical').success).toBe(true);
    expect(shape.safeParse('diagnostic').success).toBe(false);
  });
});
