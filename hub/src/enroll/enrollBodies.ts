import { jsonObject, required, text } from '../validation/bodyRules.ts';

/** Largest hardware inventory a node may send, as serialised JSON. It is shown to operators, never used for policy. */
export const MAX_INVENTORY_BYTES = 16 * 1024;

export const enrollBody = {
  name: required(
    text({ max: 200, pattern: /^[^\u0000-\u001f\u007f]+$/, hint: 'names are printable text without control characters' }),
    'the name the node suggests for itself (usually its hostname); the operator may change it',
  ),
  inventory: required(jsonObject({ maxBytes: MAX_INVENTORY_BYTES }), 'hardware inventory (CPU, memory, GPUs, engine), informational only'),
};

export const pollBody = {
  poll_token: required(text({ max: 256 }), 'the poll_token returned by POST /v1/nodes/enroll'),
};
