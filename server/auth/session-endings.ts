/** Which sessions just ended: some by id (sign-out), or every one of a user's, perhaps but one. */
export type EndedSessions = { sessionIds: readonly string[] } | { userId: string; exceptSessionId?: string | undefined };

/**
 * Tells whoever holds long-lived connections (the realtime hub's sockets) that sessions ended or an
 * account changed (sign-out, disable, role change, password change or reset), so they cut those
 * connections at once instead of at their next check. Listeners must not throw; a throwing one is
 * skipped so the change itself never fails on it.
 */
export class SessionEndings {
  private readonly listeners = new Set<(ended: EndedSessions) => void>();

  /** Adds a listener; returns the function that removes it. */
  listen(listener: (ended: EndedSessions) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Announces ended sessions to every listener. */
  ended(ended: EndedSessions): void {
    for (const listener of this.listeners) {
      try {
        listener(ended);
      } catch {
        // A listener's failure must not undo or fail the sign-out or account change.
      }
    }
  }
}
