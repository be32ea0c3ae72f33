export { TunnelClient, type TunnelClientOptions, type TunnelEnd } from './tunnelClient.ts';
export { openTunnel, closeError, HUB_CLOSE, type OpenTunnelOptions, type OpenedTunnel } from './openTunnel.ts';
export { Backoff } from './backoff.ts';
export type { ModelSource, TunnelStatus } from './types.ts';
