export * from './messages.ts';
export { parseNodeMessage } from './parseNodeMessage.ts';
export { parseHubMessage } from './parseHubMessage.ts';
export * from './requestLimits.ts';
