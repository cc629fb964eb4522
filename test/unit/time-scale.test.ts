import { assertTimeScaleAllowed, loadConfig } from '../../common/config';
import { settingsAtTimeScale } from '../../client/order-tracker';
import { resolveSettings } from '../../workflows/settings';

test('a time scale is allowed against the loopback sandbox only, naming the variable otherwise', () => {
  const sandbox = loadConfig({ MAGMA_URL: 'http://127.0.0.1:4000/graphql', MAGMA_API_KEY: 'k' });
  expect(() => assertTimeScaleAllowed(sandbox, 60)).not.toThrow();
  const real = loadConfig({ MAGMA_URL: 'https://magma.amboss.tech/graphql', MAGMA_API_KEY: 'k' });
  expect(() => assertTimeScaleAllowed(real, 60)).toThrow(/MAGMA_URL is https:\/\/magma.amboss.tech\/graphql/);
  expect(() => assertTimeScaleAllowed(real, 1)).not.toThrow();
});

test('orders started under a time scale carry the floor and the attention re-check scaled alike', () => {
  expect(resolveSettings(settingsAtTimeScale(60))).toMatchObject({ minRequestGapMs: 5_000 / 60, attentionRecheckMs: 300_000 / 60 });
  expect(settingsAtTimeScale(1)).toBeUndefined();
});

test('an order input from before the adapters had a clock (a timeScale) is read without it', () => {
  expect(resolveSettings({ timeScale: 60 } as never)).toEqual(resolveSettings(undefined));
});
