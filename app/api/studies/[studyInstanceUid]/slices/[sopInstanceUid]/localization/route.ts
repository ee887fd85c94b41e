import { sliceRoute } from '../slice-request';

export const dynamic = 'force-dynamic';

/** Where the model sees each label on this slice: lib/study-detail.ts SliceLocalization (0..1 grids); through route() (slice-request.ts). */
export const GET = sliceRoute(async (viewer, study, sop) => Response.json(await viewer.localization(study, sop)));
