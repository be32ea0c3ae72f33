import { schemaProblem } from '@porten/shared/protocol';
import { asObject, isUnset, optionalArray, optionalBoolean, optionalObject, optionalString, rejectUnknownFields, requireIdentifier, requireString, unsupported, type JsonObject } from './fields.ts';
import { describeKind, invalid } from '../../validation/invalid.ts';

/**
 * `tools`, `tool_choice` and `parallel_tool_calls` of a chat request. Only function tools exist on
 * Porten; custom tools, `allowed_tools` choices and the legacy `functions`/`function_call` fields are
 * refused by name with what to send instead. Whether the model supports tools is decided later,
 * against its catalog entry (see api/resolveModel.ts).
 */

export interface CheckedTools {
  /** Undefined when no tools were sent (an empty array counts as none). */
  tools?: readonly unknown[];
  /** Undefined when absent, or `'none'` without tools (which changes nothing). */
  tool_choice?: unknown;
}

const TOOL_FIELDS: ReadonlySet<string> = new Set(['type', 'function']);
const FUNCTION_FIELDS: ReadonlySet<string> = new Set(['name', 'description', 'parameters', 'strict']);
const NAMED_CHOICE_FIELDS: ReadonlySet<string> = new Set(['type', 'function']);
const NAMED_FUNCTION_FIELDS: ReadonlySet<string> = new Set(['name']);
const CHOICE_MODES = ['none', 'auto', 'required'];

export function readTools(body: JsonObject): CheckedTools {
  if (!isUnset(body.functions)) unsupported('functions', 'the deprecated functions field is not available; send tools');
  if (!isUnset(body.function_call)) unsupported('function_call', 'the deprecated function_call field is not available; send tool_choice');
  optionalBoolean(body, 'parallel_tool_calls', '');

  const list = optionalArray(body, 'tools', '') ?? [];
  const names = list.map((tool, i) => checkTool(tool, `tools[${i}]`));
  const toolChoice = readToolChoice(body, names);
  return {
    ...(list.length > 0 ? { tools: list } : {}),
    ...(toolChoice !== undefined ? { tool_choice: toolChoice } : {}),
  };
}

/** Checks one tool definition; returns its function name. */
function checkTool(value: unknown, path: string): string {
  const tool = asObject(value, path);
  const type = requireString(tool, 'type', path);
  if (type === 'custom') unsupported(`${path}.type`, "custom tools are not available; use type 'function'");
  if (type !== 'function') invalid(`${path}.type`, `${path}.type must be 'function'`);
  rejectUnknownFields(tool, TOOL_FIELDS, path);
  const fnPath = `${path}.function`;
  const fn = asObject(tool.function, fnPath);
  rejectUnknownFields(fn, FUNCTION_FIELDS, fnPath);
  optionalString(fn, 'description', fnPath);
  const parameters = optionalObject(fn, 'parameters', fnPath);
  const tooBig = parameters === undefined ? null : schemaProblem(parameters, `${fnPath}.parameters`);
  if (tooBig) invalid(tooBig.param, tooBig.message);
  optionalBoolean(fn, 'strict', fnPath);
  return requireIdentifier(fn, 'name', fnPath);
}

/** `tool_choice`: a mode, or a named function that must be one of `toolNames`. */
function readToolChoice(body: JsonObject, toolNames: readonly string[]): unknown {
  const choice = body.tool_choice;
  if (isUnset(choice)) return undefined;
  if (typeof choice === 'string') {
    if (!CHOICE_MODES.includes(choice)) invalid('tool_choice', `tool_choice must be 'none', 'auto', 'required' or a named function (got '${choice.slice(0, 40)}')`);
    if (choice === 'none' && toolNames.length === 0) return undefined;
  } else {
    const named = asObject(choice, 'tool_choice');
    const type = requireString(named, 'type', 'tool_choice');
    if (type === 'allowed_tools' || type === 'custom') unsupported('tool_choice.type', `'${type}' is not available; send the tools you allow in tools and tool_choice 'auto' or 'required'`);
    if (type !== 'function') invalid('tool_choice.type', `tool_choice.type must be 'function'`);
    rejectUnknownFields(named, NAMED_CHOICE_FIELDS, 'tool_choice');
    const fn = asObject(named.function, 'tool_choice.function');
    rejectUnknownFields(fn, NAMED_FUNCTION_FIELDS, 'tool_choice.function');
    const name = requireString(fn, 'name', 'tool_choice.function');
    if (toolNames.length > 0 && !toolNames.includes(name)) {
      invalid('tool_choice.function.name', `tool_choice.function.name '${name.slice(0, 64)}' is not one of the tools sent`);
    }
  }
  if (toolNames.length === 0) invalid('tool_choice', `tool_choice is only allowed when tools are sent (got ${describeKind(choice)} without tools)`);
  return choice;
}
