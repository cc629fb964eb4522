/**
 * Jest (30) refuses a `require` of a file while no test is running ("You are trying to `require` a
 * file outside of the scope of the test code"), and keeps refusing it until the module loads once.
 * undici loads its HTTP parser (a wasm module in a .js file) and the fetch body helper lazily, on a
 * process's first HTTP connection: when that first request comes from a worker's activity between
 * two tests (test.concurrent makes that likely), every provider request of that test file then
 * fails with `fetch failed`. Loading them here, before any test, puts them in the module registry.
 */
import { dirname, join } from 'node:path';

const undiciRoot = dirname(require.resolve('undici/package.json'));
for (const lazy of ['lib/llhttp/llhttp-wasm.js', 'lib/llhttp/llhttp_simd-wasm.js', 'lib/web/fetch/body.js']) {
  require(join(undiciRoot, lazy));
}
