export { attachTunnelServer } from './tunnelServer.ts';
export { TunnelRegistry, CLOSE } from './tunnelRegistry.ts';
export { NodeConnection, type OpenStream, type StreamHandlers, type NodeLiveState } from './nodeConnection.ts';
export { startTunnelRevalidation } from './revalidateTunnels.ts';
