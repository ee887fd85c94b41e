/** The badge's words: plain, so a reader cannot take a research model's flags as a diagnosis. */
export const RESEARCH_BADGE = 'Research model — not for clinical use';

/**
 * The badge to show for a /api/health body (or a realtime SystemStatus), or null: shown while the
 * loaded model's intendedUse is `research` (the server reports absence as research), hidden only
 * for `clinical` or when no model is loaded.
 */
export function researchBadgeFor(status: unknown): string | null {
  if (typeof status !== 'object' || status === null) return null;
  const model = (status as { model?: unknown }).model;
  if (typeof model !== 'object' || model === null) return null;
  return (model as { intendedUse?: unknown }).intendedUse === 'clinical' ? null : RESEARCH_BADGE;
}
