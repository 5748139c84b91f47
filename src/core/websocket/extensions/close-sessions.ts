/**
 * Releases extension sessions (their compressors, say) that a connection no
 * longer needs: declined at the handshake, or at the end of a connection.
 */

/** Calls `close` on each session; a failing cleanup is ignored, the session is gone either way. */
export function closeSessions(sessions: Iterable<{ session: { close?(): void } }>): void {
  for (const { session } of sessions) {
    try {
      session.close?.();
    } catch {
      // Ignored: the session is being discarded.
    }
  }
}
