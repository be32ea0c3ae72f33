import { WebSocket } from 'ws';
import { parseHubMessage, TUNNEL_PATH, type HelloMessage, type HubMessage, type WelcomeMessage } from '@porten/shared/protocol';
import { AgentError, describeNetworkError } from '../errors/index.ts';

/** Close codes the hub uses (hub/src/tunnel/tunnelRegistry.ts). */
export const HUB_CLOSE = {
  revoked: 4001,
  replaced: 4002,
  protocolError: 4003,
  shuttingDown: 4004,
} as const;

const MAX_FRAME_BYTES = 64 * 1024 * 1024;

export interface OpenTunnelOptions {
  hubUrl: string;
  credential: string;
  hello: HelloMessage;
  /** Every valid hub frame after `welcome`, in order, synchronously (none is lost between welcome and the caller). */
  onFrame(message: HubMessage): void;
  /** A frame after `welcome` that parseHubMessage rejected (malformed, or a type this agent does not know): dropped, reported here. */
  onInvalid?(problem: string): void;
  /** The tunnel `ws` closed after `welcome`. */
  onClose(ws: WebSocket, code: number, reason: string): void;
  /** Upgrade + hello/welcome must finish within this. Default 10 s. */
  timeoutMs?: number;
}

export interface OpenedTunnel {
  ws: WebSocket;
  welcome: WelcomeMessage;
}

/**
 * Opens the tunnel: WebSocket upgrade at `${hub}${TUNNEL_PATH}` with the node credential, sends
 * `hello`, and resolves on the hub's `welcome`. Rejects with an AgentError:
 *   401 at the upgrade or close 4001 → credential_rejected (not retryable: enroll again)
 *   close 4003 before welcome         → protocol_error (e.g. an agent too old for this hub)
 *   anything else (refused, DNS, TLS, timeout, 5xx, closed early) → hub_unreachable (retryable)
 */
export function openTunnel(opts: OpenTunnelOptions): Promise<OpenedTunnel> {
  const url = `${opts.hubUrl.replace(/^http/, 'ws')}${TUNNEL_PATH}`;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, {
      headers: { authorization: `Bearer ${opts.credential}` },
      handshakeTimeout: timeoutMs,
      maxPayload: MAX_FRAME_BYTES,
    });
    let welcome: WelcomeMessage | undefined;
    let failed = false;
    const fail = (err: AgentError) => {
      if (failed || welcome) return;
      failed = true;
      clearTimeout(timer);
      ws.removeAllListeners('close');
      ws.on('error', () => undefined);
      ws.terminate();
      reject(err);
    };
    const timer = setTimeout(() => fail(new AgentError('hub_unreachable', `the hub at ${opts.hubUrl} did not answer the tunnel within ${timeoutMs} ms`)), timeoutMs);

    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        const hubMessage = errorMessageOf(body);
        if (res.statusCode === 401) fail(new AgentError('credential_rejected', "the hub rejected this node's credential (revoked, or unknown to this hub)"));
        else fail(new AgentError('hub_unreachable', `the hub at ${opts.hubUrl} refused the tunnel with ${res.statusCode}${hubMessage ? `: ${hubMessage}` : ''}`));
      });
      res.on('error', () => fail(new AgentError('hub_unreachable', `the hub at ${opts.hubUrl} refused the tunnel with ${res.statusCode}`)));
    });
    ws.on('error', (err) => {
      fail(new AgentError('hub_unreachable', `cannot reach the hub at ${opts.hubUrl} (${describeNetworkError(err)})`, { cause: err }));
    });
    ws.on('open', () => ws.send(JSON.stringify(opts.hello)));
    ws.on('message', (data, isBinary) => {
      if (failed || isBinary) return;
      // Validated like the hub validates node frames; a bad frame is dropped, not fatal.
      const msg = parseHubMessage(data.toString());
      if ('invalid' in msg) {
        if (welcome) opts.onInvalid?.(msg.invalid);
        return;
      }
      if (welcome) {
        opts.onFrame(msg);
        return;
      }
      if (msg.type !== 'welcome') return;
      welcome = msg;
      clearTimeout(timer);
      resolve({ ws, welcome });
    });
    ws.on('close', (code, reasonBuf) => {
      const reason = reasonBuf.toString();
      if (welcome) {
        opts.onClose(ws, code, reason);
        return;
      }
      fail(closeError(code, reason, opts.hubUrl));
    });
  });
}

/** What a close code from the hub means for the agent, as an error (undefined: reconnect). */
export function closeError(code: number, reason: string, hubUrl: string): AgentError {
  const why = reason ? `: ${reason}` : '';
  switch (code) {
    case HUB_CLOSE.revoked:
      return new AgentError('credential_rejected', `the hub revoked this node's credential${why}`);
    case HUB_CLOSE.replaced:
      return new AgentError('tunnel_replaced', `another agent connected to ${hubUrl} with this node's credential and the hub kept it${why}`);
    case HUB_CLOSE.protocolError:
      return new AgentError('protocol_error', `the hub closed the tunnel for a protocol error${why}`);
    default:
      return new AgentError('hub_unreachable', `the hub at ${hubUrl} closed the tunnel (${code}${why})`);
  }
}

function errorMessageOf(body: string): string {
  try {
    const v = JSON.parse(body) as { error?: { message?: unknown } };
    if (typeof v.error?.message === 'string') return v.error.message;
  } catch {
    /* not JSON */
  }
  return body.trim().slice(0, 200);
}
