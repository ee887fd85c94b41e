import { AppError } from '@/lib/errors';

/**
 * Refuses names that could point outside a folder if anything ever used them as paths: `..`
 * segments, absolute paths (`/x`, `C:x`), backslashes (Windows separators hide `..\`), control
 * characters. Uploads never write under these names (files are stored by SOP Instance UID), so this
 * is defence in depth, and it keeps reports and logs free of surprises.
 */
export function checkUploadName(name: string): void {
  const refuse = (why: string) => {
    throw new AppError('UPLOAD_UNSAFE_NAME', `unsafe file name (${why}): refused`);
  };
  if (name.length === 0) refuse('empty');
  if (name.length > 1024) refuse('longer than 1024 characters');
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(name)) refuse('control character');
  if (name.includes('\\')) refuse('backslash');
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) refuse('absolute path');
  if (name.split('/').includes('..')) refuse('".." segment');
}
