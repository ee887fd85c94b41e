import { expect, type APIRequestContext } from '@playwright/test';
import type { WorklistItem } from '../../lib/worklist';
import { CStoreClient } from '../../server/demo';
import { generatePhantomStudy, type Subtype } from '../../server/phantoms';

/** Same rule as playwright.config.ts: the DICOM listener is the web port + 8000. */
export const E2E_DICOM_PORT = Number(process.env.E2E_PORT ?? 3199) + 8000;

export interface PhantomToSend {
  studyInstanceUid: string;
  /** PATIENT^NAME as written in the files (what a clinician may see, an admin may not). */
  patientName: string;
  files: Uint8Array[];
}

/**
 * A phantom head CT as Part-10 files. `cutShort` keeps every file valid DICOM but shortens its
 * PixelData element (length fixed up to match), so the header checks pass and decoding fails: the
 * study is received and then triaged as not analysable, as a broken export from a scanner would be.
 */
export function phantomStudy(o: { seed: number; hemorrhage: Subtype | readonly Subtype[] | null; slices?: number; size?: number; cutShort?: boolean }): PhantomToSend {
  const study = generatePhantomStudy({ seed: o.seed, slices: o.slices ?? 8, size: o.size ?? 256, hemorrhage: o.hemorrhage });
  const files = study.slices.map((s) => (o.cutShort ? cutPixelDataShort(s.bytes, 1000) : s.bytes));
  return { studyInstanceUid: study.studyInstanceUid, patientName: study.patientName, files };
}

/** The file with its (last-element) PixelData shortened by `bytes`, the element length kept consistent. */
function cutPixelDataShort(bytes: Uint8Array, cut: number): Uint8Array {
  for (let i = 132; i + 12 <= bytes.length; i++) {
    // (7FE0,0010) OW, Explicit VR Little Endian: tag, VR, 2 reserved bytes, 4-byte length.
    if (bytes[i] === 0xe0 && bytes[i + 1] === 0x7f && bytes[i + 2] === 0x10 && bytes[i + 3] === 0x00) {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const length = view.getUint32(i + 8, true);
      if (i + 12 + length !== bytes.length) throw new Error('PixelData is not the last element');
      const out = bytes.slice(0, bytes.length - cut);
      new DataView(out.buffer).setUint32(i + 8, length - cut, true);
      return out;
    }
  }
  throw new Error('no PixelData element');
}

/** Sends the files over one C-STORE association, as a scanner would; every instance must be stored. */
export async function storeOverDicom(files: readonly Uint8Array[], port = E2E_DICOM_PORT): Promise<void> {
  const client = new CStoreClient({ host: '127.0.0.1', port, callingAeTitle: 'E2E', calledAeTitle: 'ICHTRIAGE' });
  const result = await client.send(files);
  if (result.failed > 0) throw new Error(`C-STORE refused ${result.failed} of ${files.length}: ${JSON.stringify(result.results.filter((r) => !r.ok))}`);
}

/** The worklist as the API reports it (rank order). */
export async function worklist(request: APIRequestContext, baseURL?: string): Promise<WorklistItem[]> {
  const res = await request.get(`${baseURL ?? ''}/api/worklist`);
  expect(res.status()).toBe(200);
  return ((await res.json()) as { studies: WorklistItem[] }).studies;
}

/** Waits until the API reports every study as triaged (the quiet period is 2 s in e2e). */
export async function waitUntilTriaged(request: APIRequestContext, uids: readonly string[], baseURL?: string): Promise<WorklistItem[]> {
  let items: WorklistItem[] = [];
  await expect
    .poll(
      async () => {
        items = await worklist(request, baseURL);
        return uids.map((uid) => items.find((s) => s.studyInstanceUid === uid)?.status ?? 'missing');
      },
      { timeout: 90_000, intervals: [500, 1000] },
    )
    .toEqual(uids.map(() => 'triaged'));
  return items;
}

/**
 * These specs test the workflow, not the model: the shipped model flags only about 64 % of cartoon
 * bleed phantoms at its study point (`npm run evaluate` on 30 of them), and the seed changes every
 * run, so a spec that needs a flagged bleed sends further bleed phantoms (seeds `nextSeeds`) until
 * the model flags one. Returns that phantom and the worklist items of it and `others`, triaged.
 */
export async function flaggedBleed(
  request: APIRequestContext,
  first: PhantomToSend,
  others: readonly string[],
  nextSeeds: readonly number[],
): Promise<{ bleed: PhantomToSend; items: WorklistItem[] }> {
  let bleed = first;
  let items = await waitUntilTriaged(request, [bleed.studyInstanceUid, ...others]);
  for (const seed of nextSeeds) {
    if (items.find((s) => s.studyInstanceUid === bleed.studyInstanceUid)?.outcome === 'flagged') break;
    bleed = phantomStudy({ seed, hemorrhage: ['intraparenchymal', 'subdural'] });
    await storeOverDicom(bleed.files);
    items = await waitUntilTriaged(request, [bleed.studyInstanceUid, ...others]);
  }
  return { bleed, items };
}
