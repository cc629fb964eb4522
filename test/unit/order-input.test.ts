import { InvalidInputError, parseOrderId, parseProvider, parseReference } from '../../common/order-input';

describe('parseProvider', () => {
  it.each(['magma', 'miraclecash', 'ozzobit', 'houdini'])('accepts %s', (name) => {
    expect(parseProvider(name)).toBe(name);
  });

  it.each([
    ['an unknown name', 'binance', '"binance"'],
    ['upper case', 'Magma', '"Magma"'],
    ['padded', ' magma', '" magma"'],
    ['empty', '', '""'],
    ['a number', 7, '7'],
    ['undefined', undefined, 'undefined'],
  ] as [string, unknown, string][])('rejects %s, naming the value and the choices', (_name, value, shown) => {
    expect(() => parseProvider(value)).toThrow(InvalidInputError);
    expect(() => parseProvider(value)).toThrow(`unknown provider ${shown}: expected one of magma, miraclecash, ozzobit, houdini`);
  });
});

describe('parseOrderId', () => {
  it.each([
    ['one character', 'a'],
    ['128 characters', 'x'.repeat(128)],
    ['a uuid', 'ec562479-a4b8-44f4-95b4-150b310832de'],
    ['every allowed symbol', 'A-Z.a_z:0-9'],
  ])('accepts %s', (_name, value) => {
    expect(parseOrderId(value)).toBe(value);
  });

  it.each([
    ['empty', '', '""'],
    ['a space', 'a b', '"a b"'],
    ['129 characters (shown shortened)', 'x'.repeat(129), `"${'x'.repeat(40)}…"`],
    ['a slash', 'a/b', '"a/b"'],
    ['a quote', "a'b", `"a'b"`],
    ['a newline', 'a\nb', '"a\\nb"'],
    ['non-ASCII', 'ordér', '"ordér"'],
    ['a percent sign', '100%', '"100%"'],
    ['a number', 42, '42'],
    ['null', null, 'null'],
  ] as [string, unknown, string][])('rejects %s, naming the value', (_name, value, shown) => {
    expect(() => parseOrderId(value)).toThrow(InvalidInputError);
    expect(() => parseOrderId(value)).toThrow(`invalid order id ${shown}`);
  });

  // In a provider URL (`…/orders/<id>`) these would name the endpoint itself or its parent.
  it.each([['.'], ['..']])('rejects the path segment %s', (value) => {
    expect(() => parseOrderId(value)).toThrow(`invalid order id "${value}": '.' and '..' are path segments, not order ids`);
  });

  it.each([['...'], ['.a'], ['a..b']])('still accepts %s, which is no path segment', (value) => {
    expect(parseOrderId(value)).toBe(value);
  });
});

describe('parseReference', () => {
  it.each([
    ['undefined', undefined, null],
    ['null', null, null],
    ['a short reference', 'invoice 42 / Müller', 'invoice 42 / Müller'],
    ['256 characters', 'r'.repeat(256), 'r'.repeat(256)],
  ] as [string, unknown, string | null][])('accepts %s', (_name, value, expected) => {
    expect(parseReference(value)).toBe(expected);
  });

  it.each([
    ['empty', ''],
    ['257 characters', 'r'.repeat(257)],
    ['a newline', 'a\nb'],
    ['a tab', 'a\tb'],
    ['a NUL', 'a\u0000b'],
    ['a number', 5],
  ] as [string, unknown][])('rejects %s', (_name, value) => {
    expect(() => parseReference(value)).toThrow(InvalidInputError);
    expect(() => parseReference(value)).toThrow('invalid reference');
  });
});
