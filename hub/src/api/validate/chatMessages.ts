import { asObject, fieldPath, isUnset, optionalArray, optionalObject, optionalOneOf, optionalString, rejectUnknownFields, requireArray, requireString, unsupported, type JsonObject } from './fields.ts';
import { describeKind, invalid } from '../../validation/invalid.ts';

/**
 * Checks `messages` of a chat request against the official message shapes (roles system, developer,
 * user, assistant, tool and the legacy function), in one linear pass. Messages are passed on to the
 * engine as the client sent them; this only proves they are well-formed.
 *
 * Accepted content parts: `text` everywhere, `refusal` in assistant messages, `image_url` in user
 * messages (the request then needs a `vision` model). Audio and file parts are refused by name.
 * Fields the official schema does not define for a role are refused, as OpenAI does.
 */

export interface CheckedMessages {
  messages: readonly unknown[];
  /** True when some user message carries an image part. */
  vision: boolean;
}

type Role = 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function';

const ROLE_FIELDS: Readonly<Record<Role, ReadonlySet<string>>> = {
  system: new Set(['role', 'content', 'name']),
  developer: new Set(['role', 'content', 'name']),
  user: new Set(['role', 'content', 'name']),
  assistant: new Set(['role', 'content', 'refusal', 'name', 'audio', 'tool_calls', 'function_call']),
  tool: new Set(['role', 'content', 'tool_call_id']),
  function: new Set(['role', 'content', 'name']),
};
const ROLES = Object.keys(ROLE_FIELDS) as Role[];

type PartType = 'text' | 'refusal' | 'image_url';
const TEXT_PARTS: readonly PartType[] = ['text'];
const USER_PARTS: readonly PartType[] = ['text', 'image_url'];
const ASSISTANT_PARTS: readonly PartType[] = ['text', 'refusal'];

const PART_FIELDS: Readonly<Record<PartType, ReadonlySet<string>>> = {
  text: new Set(['type', 'text', 'prompt_cache_breakpoint']),
  refusal: new Set(['type', 'refusal']),
  image_url: new Set(['type', 'image_url', 'prompt_cache_breakpoint']),
};
const IMAGE_URL_FIELDS: ReadonlySet<string> = new Set(['url', 'detail']);
const TOOL_CALL_FIELDS: ReadonlySet<string> = new Set(['id', 'type', 'function']);
const FUNCTION_CALL_FIELDS: ReadonlySet<string> = new Set(['name', 'arguments']);

export function readMessages(body: JsonObject): CheckedMessages {
  const messages = requireArray(body, 'messages', '', 1);
  let vision = false;
  for (let i = 0; i < messages.length; i++) {
    if (checkMessage(messages[i], `messages[${i}]`)) vision = true;
  }
  return { messages, vision };
}

/** Checks one message; true when it carries an image. */
function checkMessage(value: unknown, path: string): boolean {
  const msg = asObject(value, path);
  const role = requireString(msg, 'role', path) as Role;
  if (!Object.hasOwn(ROLE_FIELDS, role)) {
    invalid(`${path}.role`, `${path}.role must be one of ${ROLES.map((r) => `'${r}'`).join(', ')} (got '${String(role).slice(0, 40)}')`);
  }
  rejectUnknownFields(msg, ROLE_FIELDS[role], path);
  switch (role) {
    case 'system':
    case 'developer':
      optionalString(msg, 'name', path);
      return checkContent(msg, path, TEXT_PARTS, true);
    case 'user':
      optionalString(msg, 'name', path);
      return checkContent(msg, path, USER_PARTS, true);
    case 'tool':
      requireString(msg, 'tool_call_id', path);
      return checkContent(msg, path, TEXT_PARTS, true);
    case 'function':
      requireString(msg, 'name', path);
      if (msg.content === undefined) invalid(`${path}.content`, `${path}.content is required (a string or null)`);
      optionalString(msg, 'content', path);
      return false;
    case 'assistant':
      return checkAssistant(msg, path);
  }
}

/** An assistant turn must say something: content, a refusal, tool calls or a (legacy) function call. */
function checkAssistant(msg: JsonObject, path: string): boolean {
  optionalString(msg, 'name', path);
  optionalString(msg, 'refusal', path);
  if (!isUnset(msg.audio)) unsupported(`${path}.audio`, 'audio output is not available; send the transcript as content');
  const toolCalls = optionalArray(msg, 'tool_calls', path) ?? [];
  toolCalls.forEach((call, i) => checkToolCall(call, `${path}.tool_calls[${i}]`));
  const functionCall = optionalObject(msg, 'function_call', path);
  if (functionCall !== undefined) {
    const fcPath = `${path}.function_call`;
    rejectUnknownFields(functionCall, FUNCTION_CALL_FIELDS, fcPath);
    requireString(functionCall, 'name', fcPath);
    requireString(functionCall, 'arguments', fcPath);
  }
  const hasOther = toolCalls.length > 0 || functionCall !== undefined || typeof msg.refusal === 'string';
  return checkContent(msg, path, ASSISTANT_PARTS, !hasOther);
}

function checkToolCall(value: unknown, path: string): void {
  const call = asObject(value, path);
  const type = requireString(call, 'type', path);
  if (type === 'custom') unsupported(`${path}.type`, "custom tools are not available; use type 'function'");
  if (type !== 'function') invalid(`${path}.type`, `${path}.type must be 'function'`);
  rejectUnknownFields(call, TOOL_CALL_FIELDS, path);
  requireString(call, 'id', path);
  const fnPath = `${path}.function`;
  const fn = asObject(call.function, fnPath);
  rejectUnknownFields(fn, FUNCTION_CALL_FIELDS, fnPath);
  requireString(fn, 'name', fnPath);
  requireString(fn, 'arguments', fnPath);
}

/** `content` as a string or a non-empty array of `allowed` parts; true when an image part is present. */
function checkContent(msg: JsonObject, path: string, allowed: readonly PartType[], required: boolean): boolean {
  const content = msg.content;
  const param = `${path}.content`;
  if (isUnset(content)) {
    if (required) invalid(param, `${param} is required`);
    return false;
  }
  if (typeof content === 'string') return false;
  if (!Array.isArray(content)) invalid(param, `${param} must be a string or an array of content parts (got ${describeKind(content)})`);
  if (content.length === 0) invalid(param, `${param} must not be an empty array`);
  let vision = false;
  for (let j = 0; j < content.length; j++) {
    if (checkPart(content[j], fieldPath(param, j), allowed)) vision = true;
  }
  return vision;
}

/** One content part; true when it is an image. */
function checkPart(value: unknown, path: string, allowed: readonly PartType[]): boolean {
  const part = asObject(value, path);
  const type = requireString(part, 'type', path);
  if (type === 'input_audio' || type === 'file') {
    unsupported(`${path}.type`, `'${type}' content parts are not available; send text${allowed.includes('image_url') ? ' or image_url' : ''} parts`);
  }
  if (!(allowed as readonly string[]).includes(type)) {
    invalid(`${path}.type`, `${path}.type must be one of ${allowed.map((t) => `'${t}'`).join(', ')} here (got '${type.slice(0, 40)}')`);
  }
  const partType = type as PartType;
  rejectUnknownFields(part, PART_FIELDS[partType], path);
  optionalObject(part, 'prompt_cache_breakpoint', path);
  switch (partType) {
    case 'text':
      requireString(part, 'text', path);
      return false;
    case 'refusal':
      requireString(part, 'refusal', path);
      return false;
    case 'image_url': {
      const imagePath = `${path}.image_url`;
      const image = asObject(part.image_url, imagePath);
      rejectUnknownFields(image, IMAGE_URL_FIELDS, imagePath);
      requireString(image, 'url', imagePath, { nonEmpty: true });
      optionalOneOf(image, 'detail', imagePath, ['auto', 'low', 'high']);
      return true;
    }
  }
}
