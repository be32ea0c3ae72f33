import type { Logger } from '@porten/shared/log';
import { CLOSE, type TunnelRegistry } from './tunnelRegistry.ts';

/**
 * Backstop for revocation: every `intervalMs`, cut any tunnel whose node is no longer approved in
 * the database. Revocation normally reaches every replica at once through the event bus; this bounds
 * the delay when a pub/sub message is lost. `isApproved` throwing (database unreachable) cuts nothing:
 * routing already refuses every request while the database cannot be read.
 */
export function startTunnelRevalidation(registry: TunnelRegistry, isApproved: (nodeId: string) => Promise<boolean>, intervalMs: number, log: Logger): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void (async () => {
      for (const conn of [...registry.all()]) {
        if (await isApproved(conn.nodeId)) continue;
        log.warn('cutting tunnel of a node that is no longer approved', { node: conn.nodeId });
        conn.close(CLOSE.revoked, 'node credential revoked by an operator');
        registry.remove(conn);
      }
    })()
      .catch(() => undefined)
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
