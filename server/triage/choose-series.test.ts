import { describe, expect, it } from 'vitest';
import { stack } from '@/server/dicom/__fixtures__/synthetic-series';
import { chooseSeries, type SeriesCandidate } from './choose-series';

type S = ReturnType<typeof stack>[number] & { bodyPartExamined?: string; showsBrain?: boolean };

const candidate = (seriesId: string, slices: S[], o: Partial<SeriesCandidate<S>> = {}): SeriesCandidate<S> => ({
  seriesId,
  description: null,
  convolutionKernel: null,
  sliceThickness: 5,
  slices,
  ...o,
});
const withPart = (part: string | undefined, count = 10) => stack(count, 5).map((s) => ({ ...s, bodyPartExamined: part }));

describe('chooseSeries', () => {
  it('prefers a soft-tissue kernel over a bone kernel, then more slices, and says why', () => {
    const choice = chooseSeries([
      candidate('bone', withPart('HEAD', 30), { convolutionKernel: 'BONE' }),
      candidate('soft', withPart('HEAD', 20), { convolutionKernel: 'STANDARD' }),
      candidate('short', withPart('HEAD', 5), { convolutionKernel: 'STANDARD' }),
    ]);
    expect(choice.seriesId).toBe('soft');
    expect(choice.reason).toBe('20 axial slices; kernel STANDARD; 5 mm; chosen over 2 other usable series');
  });

  it('refuses a series whose BodyPartExamined is not the head, and accepts one without it', () => {
    const choice = chooseSeries([candidate('chest', withPart('CHEST', 40)), candidate('unlabelled', withPart(undefined, 8))]);
    expect(choice.seriesId).toBe('unlabelled');
    expect(choice.rejected).toEqual([{ seriesId: 'chest', code: 'SERIES_NOT_HEAD', message: 'BodyPartExamined is CHEST: not a head CT' }]);
    expect(chooseSeries([candidate('brain', withPart('Brain'))]).seriesId).toBe('brain');
  });

  it('refuses a series in which no slice shows brain, and keeps one where any slice does (or none was measured)', () => {
    const brain = (flags: (boolean | undefined)[]) => stack(flags.length, 5).map((s, i) => ({ ...s, showsBrain: flags[i] }));
    const choice = chooseSeries([
      candidate('neck', brain([false, false, false, false])),
      candidate('vertex-only', brain([false, false, true])),
      candidate('legacy', brain([undefined, undefined])),
    ]);
    expect(choice.seriesId).toBe('vertex-only');
    expect(choice.rejected).toEqual([
      { seriesId: 'neck', code: 'SERIES_NO_BRAIN', message: 'none of the 4 slices shows brain inside a skull: not a head CT, or the head is outside the field of view' },
    ]);
    expect(chooseSeries([candidate('neck', brain([false, false]))])).toMatchObject({ seriesId: null, code: 'SERIES_NO_BRAIN' });
  });

  it('names the reason when no series is usable', () => {
    const choice = chooseSeries([candidate('chest', withPart('CHEST'))]);
    expect(choice).toMatchObject({ seriesId: null, code: 'SERIES_NOT_HEAD', reason: 'no usable axial series: BodyPartExamined is CHEST: not a head CT' });
  });
});
