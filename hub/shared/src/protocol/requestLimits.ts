import type { RequestMessage } from './messages.ts';

/**
 * Limits on the shape of what a request may carry, shared by the hub (which refuses with 400 before
 * routing) and the agent (which checks again before anything reaches an engine process), so that no
 * accepted request can take an engine down. Found by fuzzing: a `response_format` schema nested
 * ~3,000 levels deep passed the hub and overflowed the engine child's IPC deserializer, killing it.
 *
 * Depth counts containers: `1` and `"x"` are 0 deep, `{}` and `[]` are 1, `{"a":[1]}` is 2.
 */

/** Deepest nesting anywhere in a request body (OpenAI bodies need about 8). */
export const MAX_JSON_DEPTH = 64;
/** Deepest nesting of a JSON Schema (response_format.json_schema.schema, a tool's parameters). */
export const MAX_SCHEMA_DEPTH = 32;
/** Largest JSON Schema, serialised, in bytes. */
export const MAX_SCHEMA_BYTES = 64 * 1024;

/** A limit a value broke: the field it is at (OpenAI `param` style) and what to do. */
export interface LimitProblem {
  param: string;
  message: string;
}

function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/**
 * The path of the first container nested deeper than `maxDepth` below `value` (which sits at
 * `path`), or null. Iterative, so a value of any depth is measured without using the call stack.
 */
export function tooDeepAt(value: unknown, maxDepth: number, path = ''): string | null {
  const stack: [unknown, string, number][] = [[value, path, 0]];
  while (stack.length > 0) {
    const [v, p, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > maxDepth) return p;
    if (Array.isArray(v)) v.forEach((x, i) => stack.push([x, childPath(p, i), depth + 1]));
    else for (const [k, x] of Object.entries(v)) stack.push([x, childPath(p, k), depth + 1]);
  }
  return null;
}

/** A request body (or any part of one at `path`) that is nested too deeply. */
export function bodyDepthProblem(value: unknown, path = ''): LimitProblem | null {
  const at = tooDeepAt(value, MAX_JSON_DEPTH, path);
  return at === null ? null : { param: at === '' ? 'body' : at, message: `${at === '' ? 'the request body' : at} is nested deeper than ${MAX_JSON_DEPTH} levels; flatten it` };
}

/** A JSON Schema at `param` that is too deep or too large to hand to an engine. */
export function schemaProblem(schema: unknown, param: string): LimitProblem | null {
  // Depth first: serialising an arbitrarily deep value to measure it would itself overflow the stack.
  const at = tooDeepAt(schema, MAX_SCHEMA_DEPTH, param);
  if (at !== null) return { param: at, message: `${param} is nested deeper than ${MAX_SCHEMA_DEPTH} levels (at ${at}); simplify the schema` };
  const bytes = Buffer.byteLength(JSON.stringify(schema) ?? '');
  if (bytes > MAX_SCHEMA_BYTES) return { param, message: `${param} is ${bytes} bytes of JSON; schemas may be at most ${MAX_SCHEMA_BYTES} bytes` };
  return null;
}

/** Every limit above, checked on a request frame as the agent receives it. Null when it is within them. */
export function requestLimitProblem(request: RequestMessage): LimitProblem | null {
  const deep = bodyDepthProblem(request.params);
  if (deep) return deep;
  if (request.kind !== 'chat') return null;
  const format = request.params.response_format as { json_schema?: { schema?: unknown } } | undefined;
  if (format?.json_schema?.schema !== undefined) {
    const p = schemaProblem(format.json_schema.schema, 'response_format.json_schema.schema');
    if (p) return p;
  }
  for (const [i, tool] of (request.params.tools ?? []).entries()) {
    const parameters = (tool as { function?: { parameters?: unknown } } | null)?.function?.parameters;
    if (parameters === undefined) continue;
    const p = schemaProblem(parameters, `tools[${i}].function.parameters`);
    if (p) return p;
  }
  return null;
}
