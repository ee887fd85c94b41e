import { handleSliceRequest, type SliceParams } from '../slice-request';

export const dynamic = 'force-dynamic';

/** Where the model sees each label on this slice: lib/study-detail.ts SliceLocalization (0..1 grids). */
export async function GET(request: Request, ctx: SliceParams): Promise<Response> {
  return handleSliceRequest(request, ctx, async (viewer, study, sop) =>
    Response.json(await viewer.localization(study, sop), { headers: { 'cache-control': 'private, no-cache' } }),
  );
}
