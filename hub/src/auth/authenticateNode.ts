import type { HubDeps } from '../deps.ts';
import { HubError } from '../errors/index.ts';
import { nodes, type NodeRecord } from '../store/index.ts';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * The approved node behind `Authorization: Bearer <node credential>`, or `401 invalid_node_credential`
 * (missing, malformed, unknown or revoked — revocation takes effect on the next request). A database
 * failure is `503` (fail closed), never a pass.
 * Used by every node-facing endpoint: the tunnel upgrade and the model mirror.
 */
export async function authenticateNode(authorization: string | undefined, deps: Pick<HubDeps, 'pool' | 'config'>): Promise<NodeRecord> {
  const credential = BEARER.exec(authorization ?? '')?.[1];
  if (credential === undefined) {
    throw new HubError('invalid_node_credential', 'node endpoints need `Authorization: Bearer <node credential>`: run `porten login` on the node');
  }
  let node: NodeRecord | undefined;
  try {
    node = await nodes.findApprovedNodeByCredential(deps.pool, credential);
  } catch (err) {
    throw new HubError('service_unavailable', 'the hub cannot reach its database; the node should retry', { cause: err, retryAfterS: deps.config.retryAfterS });
  }
  if (!node) throw new HubError('invalid_node_credential', 'node credential is unknown or revoked: run `porten login` on the node to enroll again');
  return node;
}
