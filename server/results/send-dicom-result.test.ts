import { describe, expect, it } from 'vitest';
import { isPermanentDeliveryError } from '@/server/outbox';
import { isPermanentStoreStatus, sendDicomResult } from './send-dicom-result';

describe('sending a result', () => {
  it('gives up only on C-STORE statuses a retry cannot mend', () => {
    for (const s of [0x0122, 0x0124, 0xa900, 0xa9ff, 0xc000, 0xc123]) expect(isPermanentStoreStatus(s), s.toString(16)).toBe(true);
    for (const s of [0xa700, 0xa7ff, 0x0110, 0x0000, 0xb000]) expect(isPermanentStoreStatus(s), s.toString(16)).toBe(false);
  });

  it('with no target configured, fails for good rather than pretending', async () => {
    const err = await sendDicomResult([new Uint8Array(1)], {}).catch((e: unknown) => e);
    expect(isPermanentDeliveryError(err)).toBe(true);
  });
});
