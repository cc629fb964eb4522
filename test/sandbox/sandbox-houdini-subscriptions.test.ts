import {
  NO_SUBSCRIPTION,
  covers,
  parseClientMessage,
  readAuthorization,
  subscribe,
  unsubscribe,
} from '../../sandbox/houdini-subscriptions';
import type { Subscription } from '../../sandbox/houdini-subscriptions';

const ALL: Subscription = { kind: 'all' };
const some = (...ids: string[]): Subscription => ({ kind: 'some', houdiniIds: new Set(ids) });

describe('parseClientMessage', () => {
  it.each([
    ['{"type":"ping"}', { ok: true, message: { type: 'ping' } }],
    ['{"type":"subscribe"}', { ok: true, message: { type: 'subscribe' } }],
    ['{"type":"subscribe","houdiniIds":null}', { ok: true, message: { type: 'subscribe' } }],
    ['{"type":"subscribe","houdiniIds":["a","b"]}', { ok: true, message: { type: 'subscribe', houdiniIds: ['a', 'b'] } }],
    ['{"type":"unsubscribe","houdiniIds":[]}', { ok: true, message: { type: 'unsubscribe', houdiniIds: [] } }],
    ['{"type":"unsubscribe"}', { ok: true, message: { type: 'unsubscribe' } }],
    ['not json', { ok: false, code: 'INVALID_MESSAGE' }],
    ['', { ok: false, code: 'INVALID_MESSAGE' }],
    ['{}', { ok: false, code: 'INVALID_MESSAGE' }],
    ['[{"type":"ping"}]', { ok: false, code: 'INVALID_MESSAGE' }],
    ['{"type":""}', { ok: false, code: 'INVALID_MESSAGE' }],
    ['{"type":7}', { ok: false, code: 'INVALID_MESSAGE' }],
    ['"ping"', { ok: false, code: 'INVALID_MESSAGE' }],
    ['{"type":"subscribe","houdiniIds":"a"}', { ok: false, code: 'INVALID_MESSAGE' }],
    ['{"type":"subscribe","houdiniIds":[1]}', { ok: false, code: 'INVALID_MESSAGE' }],
    ['{"type":"subscribe","houdiniIds":[""]}', { ok: false, code: 'INVALID_MESSAGE' }],
    ['{"type":"SUBSCRIBE"}', { ok: false, code: 'UNKNOWN_MESSAGE_TYPE' }],
    ['{"type":"hello"}', { ok: false, code: 'UNKNOWN_MESSAGE_TYPE' }],
  ])('%s', (text, expected) => {
    expect(parseClientMessage(text)).toMatchObject(expected);
  });
});

describe('subscribe and unsubscribe', () => {
  it.each([
    ['subscribe all from none', NO_SUBSCRIPTION, 'subscribe', undefined, ALL],
    ['subscribe ids from none', NO_SUBSCRIPTION, 'subscribe', ['a'], some('a')],
    ['subscribe is additive', some('a'), 'subscribe', ['b', 'a'], some('a', 'b')],
    ['subscribe without ids switches to all', some('a'), 'subscribe', undefined, ALL],
    ['subscribe ids while subscribed to all keeps all', ALL, 'subscribe', ['a'], ALL],
    ['subscribe to no ids from none stays none', NO_SUBSCRIPTION, 'subscribe', [], NO_SUBSCRIPTION],
    ['unsubscribe all from all', ALL, 'unsubscribe', undefined, NO_SUBSCRIPTION],
    ['unsubscribe all from ids', some('a', 'b'), 'unsubscribe', undefined, NO_SUBSCRIPTION],
    ['unsubscribe ids removes them', some('a', 'b'), 'unsubscribe', ['a', 'c'], some('b')],
    ['unsubscribe the last id leaves none', some('a'), 'unsubscribe', ['a'], NO_SUBSCRIPTION],
    ['unsubscribe ids while subscribed to all resets to none', ALL, 'unsubscribe', ['a'], NO_SUBSCRIPTION],
    ['unsubscribe from none stays none', NO_SUBSCRIPTION, 'unsubscribe', ['a'], NO_SUBSCRIPTION],
  ] as [string, Subscription, 'subscribe' | 'unsubscribe', string[] | undefined, Subscription][])(
    '%s',
    (_name, current, type, ids, expected) => {
      const next = type === 'subscribe' ? subscribe(current, ids) : unsubscribe(current, ids);
      expect(next).toEqual(expected);
    },
  );

  it('covers what it is subscribed to', () => {
    expect(covers(ALL, 'x')).toBe(true);
    expect(covers(some('a'), 'a')).toBe(true);
    expect(covers(some('a'), 'b')).toBe(false);
    expect(covers(NO_SUBSCRIPTION, 'a')).toBe(false);
  });

  it('never changes the subscription it was given', () => {
    const before = some('a');
    subscribe(before, ['b']);
    unsubscribe(before, ['a']);
    expect(before).toEqual(some('a'));
  });
});

describe('readAuthorization', () => {
  it.each([
    [undefined, { kind: 'missing' }],
    ['', { kind: 'missing' }],
    ['partner:secret', { kind: 'credentials', partnerId: 'partner', secret: 'secret' }],
    ['partner:sec:ret', { kind: 'credentials', partnerId: 'partner', secret: 'sec:ret' }],
    ['Bearer token', { kind: 'malformed' }],
    ['Bearer partner:secret', { kind: 'malformed' }],
    ['partnersecret', { kind: 'malformed' }],
    [':secret', { kind: 'malformed' }],
    ['partner:', { kind: 'malformed' }],
    ['partner: secret', { kind: 'malformed' }],
  ])('%p → %p', (header, expected) => {
    expect(readAuthorization(header)).toEqual(expected);
  });
});
