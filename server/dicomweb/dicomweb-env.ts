import { z } from 'zod';

/** DICOMweb and viewer settings, merged into the server's environment schema (server/config). */
export const DICOMWEB_ENV = {
  /** Origins (scheme://host[:port]) whose pages may call /dicomweb from the browser (a viewer such as OHIF); empty: none. */
  DICOMWEB_CORS_ORIGINS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(
      z.array(
        z
          .string()
          .refine((o) => {
            try {
              const u = new URL(o);
              return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === o.replace(/\/$/, '');
            } catch {
              return false;
            }
          }, 'each entry an origin such as https://ohif.hospital.lan (no path)')
          .transform((o) => new URL(o).origin),
      ),
    ),
  /** "Open in viewer" link on the study page; `{studyInstanceUid}` is replaced. Unset: no link. */
  VIEWER_URL_TEMPLATE: z
    .string()
    .refine((v) => v.includes('{studyInstanceUid}') && /^https?:\/\//.test(v), 'an http(s) URL containing {studyInstanceUid}')
    .optional(),
};

/** The viewer link for a study: the template with the UID filled in (UIDs are URL-safe, lib/dicom-uid). */
export function viewerUrlFor(template: string | undefined, studyInstanceUid: string): string | undefined {
  return template?.replaceAll('{studyInstanceUid}', encodeURIComponent(studyInstanceUid));
}
