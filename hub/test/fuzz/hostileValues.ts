import fc from 'fast-check';

/**
 * Values an attacker sends: strings with NUL and other control characters, lone surrogates, long
 * runs, numbers at the edges, deep nesting, prototype-ish keys. Shared by every fuzz property.
 */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', '\u0000', 'a\u0000b', '\ud800', '\u202e', '%00', '../../etc/passwd', '${jndi:x}', "'; drop table orgs; --", '<script>', 'x'.repeat(5000), '🙂'.repeat(50)),
);

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, -0, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 0.5, 2 ** 31, 2 ** 53),
);

const key: fc.Arbitrary<string> = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', '\u0000', 'model', 'messages', 'name'));

/** Nesting `depth` levels of arrays or objects around `inner`: deep values without a deep recursion to build them. */
export function nest(inner: unknown, depth: number, asArray: boolean): unknown {
  let v = inner;
  for (let i = 0; i < depth; i++) v = asArray ? [v] : { a: v };
  return v;
}

export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4 }),
    fc.tuple(fc.integer({ min: 60, max: 3000 }), fc.boolean()).map(([d, a]) => nest('deep', d, a)),
  ),
})).value;

/**
 * A valid body with one field replaced, removed or added: most refusals worth finding are near a
 * valid request, where validators go furthest.
 */
export function mutated(valid: Record<string, unknown>): fc.Arbitrary<unknown> {
  const fields = Object.keys(valid);
  return fc.oneof(
    fc.record({ field: fc.constantFrom(...fields), value: hostileJson }).map(({ field, value }) => ({ ...valid, [field]: value })),
    fc.constantFrom(...fields).map((field) => Object.fromEntries(Object.entries(valid).filter(([k]) => k !== field))),
    fc.record({ field: key, value: hostileJson }).map(({ field, value }) => ({ ...valid, [field]: value })),
    hostileJson,
  );
}

/** Raw bytes to send as a body: JSON text of a value, broken JSON, or nothing at all. */
export function bodyText(value: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: value.map((v) => JSON.stringify(v) ?? 'null') },
    { weight: 1, arbitrary: value.map((v) => (JSON.stringify(v) ?? 'null').slice(0, -1)) },
    { weight: 1, arbitrary: fc.constantFrom('', '{', '{"a":', 'null', '[]', '"x"', '\u0000', '{"model":"m1"}\u0000') },
  );
}
