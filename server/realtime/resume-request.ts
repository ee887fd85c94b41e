import { z } from 'zod';
import type { ResumeRequest, RoomName } from '@/lib/realtime-events';

const cursor = z.number().int().nonnegative().nullable();

/** A resume request off the wire: a map of room → last applied seq (or null); nothing else. */
const schema = z.object({ cursors: z.record(z.string().max(100), cursor) }).strict();

/** Validates a client's resume request; the message names what is wrong. */
export function parseResumeRequest(input: unknown): { ok: true; request: ResumeRequest } | { ok: false; message: string } {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, message: `invalid resume request: ${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'malformed'}` };
  }
  return { ok: true, request: { cursors: parsed.data.cursors as Partial<Record<RoomName, number | null>> } };
}
