export * from './messages.ts';
export { parseNodeMessage } from './parseNodeMessage.ts';
