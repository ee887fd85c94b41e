import { z } from 'zod';
import { dicomUidSchema } from '@/lib/dicom-uid';
import { AppError } from '@/lib/errors';
import type { RouteHandler } from '@/server/http/route';
import type { DicomJson } from './dicom-json';
import { dicomwebRoute, type DicomwebContext } from './dicomweb-route';
import { qidoParams, QidoQuerySchema, type QidoQuery } from './qido-query';
import type { StoredInstanceRef } from './dicomweb-reader';
import { extractFrames, multipartRelated, parseFrameList, transferSyntaxOf } from './wado-response';

const Study = z.object({ study: dicomUidSchema });
const Series = Study.extend({ series: dicomUidSchema });
const Instance = Series.extend({ instance: dicomUidSchema });
const Frames = Instance.extend({ frames: z.string().max(7000) });

function qido(request: Request): QidoQuery {
  const parsed = QidoQuerySchema.safeParse(qidoParams(new URL(request.url).searchParams));
  if (!parsed.success) throw new AppError('VALIDATION_FAILED', parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; '));
  return parsed.data;
}

const dicomJson = (body: DicomJson[]) => new Response(JSON.stringify(body), { headers: { 'content-type': 'application/dicom+json' } });

/** WADO-RS: the stored files, byte for byte, one part each (in the transfer syntax they arrived in). */
async function instancesResponse(ctx: DicomwebContext<unknown>, refs: StoredInstanceRef[], resource: string): Promise<Response> {
  await ctx.journal('dicomweb.retrieved', refs[0]!.studyInstanceUid, { resource, instances: refs.length });
  const parts = [];
  for (const ref of refs) {
    const bytes = await ctx.reader.read(ref);
    parts.push({
      contentType: `application/dicom; transfer-syntax=${transferSyntaxOf(bytes)}`,
      bytes,
      location: `${ctx.base}/studies/${ref.studyInstanceUid}/series/${ref.seriesInstanceUid}/instances/${ref.sopInstanceUid}`,
    });
  }
  return multipartRelated('application/dicom', parts);
}

async function metadataResponse(ctx: DicomwebContext<unknown>, refs: StoredInstanceRef[], resource: string): Promise<Response> {
  await ctx.journal('dicomweb.retrieved', refs[0]!.studyInstanceUid, { resource, instances: refs.length });
  return dicomJson(await ctx.reader.metadata(refs, ctx.base));
}

/** GET /dicomweb/studies (QIDO-RS). */
export const searchStudies: RouteHandler = dicomwebRoute(z.object({}), async (ctx) => {
  const q = qido(ctx.request);
  const found = await ctx.reader.searchStudies(q, ctx.base);
  await ctx.journal('dicomweb.searched', q.StudyInstanceUID?.length === 1 ? q.StudyInstanceUID[0]! : null, { level: 'studies', results: found.length });
  return dicomJson(found);
});

/** GET /dicomweb/studies/{study}/series (QIDO-RS). */
export const searchSeries: RouteHandler = dicomwebRoute(Study, async (ctx) => {
  const found = await ctx.reader.searchSeries(ctx.params.study, qido(ctx.request), ctx.base);
  await ctx.journal('dicomweb.searched', ctx.params.study, { level: 'series', results: found.length });
  return dicomJson(found);
});

/** GET /dicomweb/studies/{study}/instances (QIDO-RS). */
export const searchStudyInstances: RouteHandler = dicomwebRoute(Study, async (ctx) => {
  const found = await ctx.reader.searchInstances(ctx.params.study, undefined, qido(ctx.request), ctx.base);
  await ctx.journal('dicomweb.searched', ctx.params.study, { level: 'instances', results: found.length });
  return dicomJson(found);
});

/** GET /dicomweb/studies/{study}/series/{series}/instances (QIDO-RS). */
export const searchSeriesInstances: RouteHandler = dicomwebRoute(Series, async (ctx) => {
  const found = await ctx.reader.searchInstances(ctx.params.study, ctx.params.series, qido(ctx.request), ctx.base);
  await ctx.journal('dicomweb.searched', ctx.params.study, { level: 'instances', results: found.length });
  return dicomJson(found);
});

/** GET /dicomweb/studies/{study} (WADO-RS). */
export const retrieveStudy: RouteHandler = dicomwebRoute(Study, async (ctx) => instancesResponse(ctx, await ctx.reader.instances(ctx.params.study), 'study'));

/** GET /dicomweb/studies/{study}/series/{series} (WADO-RS). */
export const retrieveSeries: RouteHandler = dicomwebRoute(Series, async (ctx) => instancesResponse(ctx, await ctx.reader.instances(ctx.params.study, ctx.params.series), 'series'));

/** GET /dicomweb/studies/{study}/series/{series}/instances/{instance} (WADO-RS). */
export const retrieveInstance: RouteHandler = dicomwebRoute(Instance, async (ctx) =>
  instancesResponse(ctx, await ctx.reader.instances(ctx.params.study, ctx.params.series, ctx.params.instance), 'instance'),
);

/** GET …/metadata at study, series and instance level (WADO-RS). */
export const studyMetadata: RouteHandler = dicomwebRoute(Study, async (ctx) => metadataResponse(ctx, await ctx.reader.instances(ctx.params.study), 'study metadata'));
export const seriesMetadata: RouteHandler = dicomwebRoute(Series, async (ctx) => metadataResponse(ctx, await ctx.reader.instances(ctx.params.study, ctx.params.series), 'series metadata'));
export const instanceMetadata: RouteHandler = dicomwebRoute(Instance, async (ctx) =>
  metadataResponse(ctx, await ctx.reader.instances(ctx.params.study, ctx.params.series, ctx.params.instance), 'instance metadata'),
);

/** GET …/instances/{instance}/frames/{n[,m…]} (WADO-RS): the frames' pixel data as stored, one part each. */
export const retrieveFrames: RouteHandler = dicomwebRoute(Frames, async (ctx) => {
  const numbers = parseFrameList(ctx.params.frames);
  const [ref] = await ctx.reader.instances(ctx.params.study, ctx.params.series, ctx.params.instance);
  const { transferSyntaxUid, frames } = extractFrames(await ctx.reader.read(ref!), numbers);
  const who = ctx.principal.kind === 'user' ? ctx.principal.userId : `token:${ctx.principal.tokenId}`;
  if (ctx.frameReads.first(`${who}\u0000${ctx.params.study}`)) await ctx.journal('dicomweb.retrieved', ctx.params.study, { resource: 'frames' });
  return multipartRelated(
    'application/octet-stream',
    frames.map((bytes) => ({ contentType: `application/octet-stream; transfer-syntax=${transferSyntaxUid}`, bytes })),
  );
});
