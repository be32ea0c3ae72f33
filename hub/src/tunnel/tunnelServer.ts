import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { HubDeps } from '../deps.ts';
import { HubError } from '../errors/index.ts';
import { toErrorBody } from '../http/errorResponse.ts';
import { parseNodeMessage, PROTOCOL_VERSION, TUNNEL_PATH, type HelloMessage } from '@porten/shared/protocol';
import { nodes, type NodeRecord } from '../store/index.ts';
import { authenticateNode } from '../auth/authenticateNode.ts';
import { NodeConnection } from './nodeConnection.ts';
import { pushAssignments } from './pushAssignments.ts';
import { CLOSE, type TunnelRegistry } from './tunnelRegistry.ts';

const HELLO_TIMEOUT_MS = 10_000;
const MAX_FRAME_BYTES = 16 * 1024 * 1024;

/**
 * Accepts node tunnels: `GET /v1/nodes/tunnel` upgraded to a WebSocket, authenticated by the node
 * credential (Bearer). The node must send `hello` first; the hub answers `welcome` with the
 * operator-assigned identity (and `assignment` when an operator changes it: pushAssignments.ts).
 * From then on heartbeats refresh presence (Redis) and stream events are routed to the requests
 * waiting on them.
 */
export function attachTunnelServer(server: Server, deps: HubDeps, registry: TunnelRegistry): { close(): void } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const { log, config } = deps;
  const stopAssignments = pushAssignments(deps.events, registry, (id) => nodes.getNode(deps.pool, id), log);

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== TUNNEL_PATH) {
      rejectUpgrade(socket, new HubError('not_found', `no WebSocket endpoint at ${path}; nodes connect to ${TUNNEL_PATH}`));
      return;
    }
    void authenticateNode(req.headers.authorization, deps).then(
      (node) => wss.handleUpgrade(req, socket, head, (ws) => accept(ws, node)),
      (err: unknown) => rejectUpgrade(socket, err),
    );
  });

  function accept(ws: WebSocket, node: NodeRecord): void {
    let conn: NodeConnection | undefined;
    const helloTimer = setTimeout(() => ws.close(CLOSE.protocolError, 'no hello within 10 s'), HELLO_TIMEOUT_MS);

    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        ws.close(CLOSE.protocolError, 'binary frames are not part of the protocol');
        return;
      }
      const msg = parseNodeMessage(data.toString());
      if ('invalid' in msg) {
        log.warn('tunnel protocol error', { node: node.id, problem: msg.invalid });
        ws.close(CLOSE.protocolError, `protocol error: ${msg.invalid}`.slice(0, 120));
        return;
      }
      if (!conn) {
        if (msg.type !== 'hello') {
          ws.close(CLOSE.protocolError, 'the first frame must be hello');
          return;
        }
        clearTimeout(helloTimer);
        if (msg.protocol !== PROTOCOL_VERSION) {
          ws.close(CLOSE.protocolError, `protocol ${msg.protocol} not supported; this hub speaks ${PROTOCOL_VERSION}: upgrade the agent`);
          return;
        }
        conn = open(ws, node, msg);
        return;
      }
      switch (msg.type) {
        case 'heartbeat':
          conn.state = {
            ...conn.state,
            capacity: msg.capacity,
            loaded_models: msg.loaded_models,
            queue_depth: msg.queue_depth,
            last_heartbeat_at: Date.now(),
          };
          publishPresence(conn);
          registry.changed();
          break;
        case 'load_progress':
          conn.deliverLoadProgress(msg);
          break;
        case 'delta':
        case 'result':
        case 'done':
        case 'error':
          conn.deliver(msg);
          break;
        case 'hello':
          ws.close(CLOSE.protocolError, 'hello sent twice');
          break;
      }
    });

    ws.on('close', () => {
      clearTimeout(helloTimer);
      if (!conn) return;
      conn.close(1000, 'tunnel closed');
      registry.remove(conn);
      void deps.presence.remove(conn.nodeId, config.replicaId).catch(() => undefined);
      log.info('node disconnected', { node: node.id });
    });
    ws.on('error', (err) => log.warn('tunnel socket error', { node: node.id, err: err.message }));
  }

  function open(ws: WebSocket, node: NodeRecord, hello: HelloMessage): NodeConnection {
    const conn = new NodeConnection(node.id, ws, {
      engine: hello.engine.kind,
      capabilities: hello.engine.capabilities,
      capacity: hello.capacity,
      loaded_models: hello.loaded_models,
      agent_version: hello.agent_version,
      queue_depth: 0,
      last_heartbeat_at: Date.now(),
    });
    conn.send({
      type: 'welcome',
      node_id: node.id,
      name: node.name,
      org_id: node.org_id,
      region: node.region,
      trust_class: node.trust_class,
      heartbeat_interval_ms: config.heartbeatIntervalMs,
    });
    registry.add(conn);
    publishPresence(conn);
    log.info('node connected', { node: node.id, engine: hello.engine.kind, agent: hello.agent_version });
    return conn;
  }

  function publishPresence(conn: NodeConnection): void {
    void deps.presence
      .put({
        node_id: conn.nodeId,
        replica: config.replicaId,
        agent_version: conn.state.agent_version,
        engine: conn.state.engine,
        capabilities: conn.state.capabilities,
        capacity: conn.state.capacity,
        loaded_models: conn.state.loaded_models,
        in_flight: conn.inFlight,
        queue_depth: conn.state.queue_depth,
        connected_at: conn.connectedAt,
        heartbeat_at: conn.state.last_heartbeat_at,
      })
      .catch((err: Error) => log.debug('presence write failed', { node: conn.nodeId, err: err.message }));
  }

  // A tunnel whose heartbeats stopped is cut: the node is offline for routing either way, and the
  // agent's reconnect gives it a clean state.
  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const c of registry.all()) {
      if (!c.isFresh(now, config.presenceTtlMs)) {
        log.warn('node heartbeat stale; cutting tunnel', { node: c.nodeId });
        c.close(1001, 'heartbeat timeout');
        c.terminate();
        registry.remove(c);
      }
    }
  }, Math.max(100, Math.floor(config.heartbeatIntervalMs / 2)));
  sweeper.unref();

  return {
    close() {
      stopAssignments();
      clearInterval(sweeper);
      registry.closeAll('hub shutting down');
      wss.close();
    },
  };
}

function rejectUpgrade(socket: Duplex, err: unknown): void {
  const { status, body } = toErrorBody(err, '-');
  const payload = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 404 ? 'Not Found' : 'Error'}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(payload)}\r\n` +
      'Connection: close\r\n\r\n' +
      payload,
  );
}
