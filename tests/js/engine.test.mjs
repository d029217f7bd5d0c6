// The JavaScript engine of the website (book/_static/bptt/) against rnnlib.
//
//   .venv/bin/python tests/js/make_fixtures.py   # writes _build/js-fixtures/fixtures.json
//   node --test tests/js/                         # or: make js-test
//
// Every expected number comes from rnnlib, through the fixtures; compare.mjs says how each
// quantity is compared (a relative error per time step, per gradient, per norm). The mutation
// test proves that the comparison can fail: each seeded bug in a copy of the engine must fail it.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

import * as engine from '../../book/_static/bptt/engine.js';
import { caseChecks, checkAll, TOLERANCE } from './compare.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ENGINE_DIR = resolve(here, '../../book/_static/bptt');
const FIXTURES = process.env.BPTT_FIXTURES ?? resolve(here, '../../_build/js-fixtures/fixtures.json');

if (!existsSync(FIXTURES)) {
  throw new Error(`no fixtures at ${FIXTURES}: run \`.venv/bin/python tests/js/make_fixtures.py\` first (make js-test does)`);
}
const fixtures = JSON.parse(readFileSync(FIXTURES, 'utf8'));

// --- the engine against rnnlib ----------------------------------------------------------------------

const worst = new Map(); // quantity → [max error, case], reported at the end

describe(`engine against rnnlib ${fixtures.rnnlib_version} (numpy ${fixtures.numpy_version}), tolerance ${TOLERANCE}`, () => {
  for (const c of fixtures.cases) {
    describe(c.name, () => {
      for (const [quantity, fn] of caseChecks(engine, c)) {
        test(quantity, (t) => {
          const error = fn();
          t.diagnostic(`relative error ${error.toExponential(2)}`);
          const family = quantity.replace(/\(.*\)$/, '');
          if (!(worst.get(family)?.[0] >= error)) worst.set(family, [error, c.name]);
          assert.ok(error <= TOLERANCE, `${c.name}: ${quantity} differs from rnnlib by ${error} (> ${TOLERANCE})`);
        });
      }
    });
  }
  test('summary: the largest relative error per quantity', (t) => {
    for (const [q, [e, c]] of [...worst].sort(([a], [b]) => a.localeCompare(b))) {
      t.diagnostic(`${q.padEnd(26)} ${e.toExponential(2)}  (${c})`);
    }
    assert.ok(worst.size > 0);
  });
});

test('every quantity the engine computes is compared with rnnlib in some case', () => {
  const compared = new Set(fixtures.cases.flatMap((c) => caseChecks(engine, c).map(([q]) => q.replace(/\(.*\)$/, ''))));
  const required = [
    'a', 'h', 'o', 'y_hat', 'step_losses', 'loss', 'step_forward', 'delta', 'da', 'grads', 'delta_norms',
    'sigma_max', 'singular_values', 'spectral_norm_lanczos', 'spectral_radius', 'eigenvalues', 'eta', 'pascanu_bound',
    'step_jacobian', 'jacobian_product', 'jacobian_norms', 'jacobian_norms_last_row', 'jacobian_norms_middle_row',
    'norms_by_distance', 'effective_horizon', 'contribution_norms', 'truncated', 'bias_by_k2', 'truncation_explorer',
    'clip', 'cliff_loss', 'cliff_grad', 'cliff_surface', 'cliff_short_T', 'descent_step', 'descent_path',
  ];
  assert.deepEqual(required.filter((q) => !compared.has(q)), []);
  const kinds = (key) => new Set(fixtures.cases.filter((c) => c.kind === 'rnn').map((c) => JSON.stringify(c.model[key])));
  assert.deepEqual([...kinds('activation')].sort(), ['"identity"', '"relu"', '"sigmoid"', '"tanh"']);
  assert.equal(kinds('loss').size, 2);
  assert.ok(kinds('targets').size >= 3, 'targets "all", "last" and a mask');
});

// --- the suite can fail: seeded mutations of the engine ----------------------------------------------

/** Each mutant: the file, the substitutions [from, to] (each `from` must occur exactly once), and why. */
const MUTANTS = [
  ['rnn.js', [['recurrent += ws[i * H + j] * hPrev[j];', 'recurrent += ws[j * H + i] * hPrev[j];']], 'W_sᵀ instead of W_s in the recursion'],
  ['rnn.js', [['da_i[j] = df(a_i[j], h_i[j]) * d_h[j];', 'da_i[j] = d_h[j];']], 'f′ dropped in the backward pass'],
  ['rnn.js', [["import { isMatrix, matrix, matTVec, maxAbs, zeros } from './linalg.js';", "import { isMatrix, matrix, matTVec, matVec, maxAbs, zeros } from './linalg.js';"],
    ['carry = matTVec(W_s, da_i);', 'carry = matVec(W_s, da_i);']], 'W_s instead of W_sᵀ in the δ recursion'],
  ['rnn.js', [['const dai = da[i], hPrev = h[i], xi = x[i];', 'const dai = da[i], hPrev = h[i + 1], xi = x[i];']], 'h_t instead of h_{t-1} in ∂L/∂W_s (off by one in time)'],
  ['rnn.js', [['step(params, act, xs[n][t], h[t], a_t, h_t);', 'step(params, act, xs[n][Math.max(t - 1, 0)], h[t], a_t, h_t);']], 'x_{t-1} fed at step t (off by one in time)'],
  ['rnn.js', [['carry = matTVec(W_s, da_i);', 'carry = i > stop - 4 ? matTVec(W_s, da_i) : new Float64Array(H);']], 'long paths dropped: δ carried back 3 steps only'],
  ['rnn.js', [['g[i] = diff * (2 / N) * m;', 'g[i] = diff * (1 / N) * m;']], 'the ½ E convention: ∂E/∂ŷ = ŷ − d'],
  ['rnn.js', [['fp.loss = Number.isNaN(L) ? Infinity : L / N;', 'fp.loss = Number.isNaN(L) ? Infinity : L;']], 'L not divided by N'],
  ['rnn.js', [['dO[i] = yHat[i] * (g[i] - gy);', 'dO[i] = g[i];']], 'softmax Jacobian dropped'],
  ['activations.js', [['df: (a, h) => h * (1 - h), gamma: 0.25', 'df: (a, h) => 1 - h * h, gamma: 0.25']], 'σ′ = 1 − h² (tanh′)'],
  ['activations.js', [["f: sigmoid, df: (a, h) => h * (1 - h), gamma: 0.25", "f: sigmoid, df: (a, h) => h * (1 - h), gamma: 1"]], 'γ = 1 for the sigmoid'],
  ['diagnostics.js', [['J.data[p * H + q] = fp_p * ws[p * H + q];', 'J.data[q * H + p] = fp_p * ws[q * H + p];']], 'W_s diag(f′) instead of diag(f′) W_s'],
  ['linalg.js', [['still = thetaNew - theta <= 4 * EPS * thetaNew ? still + 1 : 0;', 'still = thetaNew - theta <= 1e-3 * thetaNew ? still + 1 : 0;']], 'Lanczos stopped early'],
  ['linalg.js', [['cp[i] = cs * up - sn * uq;', 'cp[i] = cs * up + sn * uq;']], 'Jacobi rotation with the wrong sign'],
  ['linalg.js', [['for (let j = k + 1; j < n; j++) a[i][j] -= f * v[j];', '']], 'Householder applied from the left only (not a similarity)'],
  ['truncation.js', [['const start = Math.max(0, t - k2);', 'const start = Math.max(0, t - k2 + 1);']], 'truncation window one step short'],
  ['truncation.js', [['(i >= lossStart && i < t ? v : null)', '(i < t ? v : null)']], 'earlier losses back-propagated again'],
  ['contributions.js', [['hPrev = fp.h[n][i];', 'hPrev = fp.h[n][i + 1];']], 'C_k with h_k instead of h_{k-1}'],
  ['clipping.js', [['? threshold / norm : 1;', '? Math.sqrt(threshold / norm) : 1;']], 'clip by norm with the wrong factor'],
  ['clipping.js', [['return Math.min(Math.max(g, -threshold), threshold);', 'return Math.min(g, threshold);']], 'value clipping one-sided'],
  ['cliff.js', [["h0: [sigmoid(CLIFF_X0)], h0Mode: 'given',", "h0: [CLIFF_X0], h0Mode: 'given',"]], 'cliff: h_0 = x_0 instead of σ(x_0)'],
  ['cliff.js', [['let h = h0;', 'let h = CLIFF_X0;']], 'cliff surface: h_0 = x_0 instead of σ(x_0)'],
];

describe('mutation test: a seeded bug in the engine fails the fixture comparison', () => {
  const roots = [];
  after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));
  MUTANTS.forEach(([file, substitutions, what], i) => {
    test(`mutant ${i + 1} (${file}): ${what}`, async (t) => {
      const root = mkdtempSync(join(tmpdir(), 'bptt-mutant-'));
      roots.push(root);
      cpSync(ENGINE_DIR, root, { recursive: true });
      const path = join(root, file);
      const original = readFileSync(path, 'utf8');
      let source = original;
      for (const [from, to] of substitutions) {
        assert.equal(source.split(from).length - 1, 1, `the mutation target must occur exactly once in ${file}: ${from}`);
        source = source.replace(from, to);
      }
      assert.notEqual(source, original);
      writeFileSync(path, source);
      const mutant = await import(pathToFileURL(join(root, 'engine.js')).href);
      const results = checkAll(mutant, fixtures, { stopAtFirstFailure: true });
      const caught = results.find((r) => !(r.error <= TOLERANCE));
      assert.ok(caught, `the mutant "${what}" passed every comparison with rnnlib`);
      t.diagnostic(`caught by ${caught.case}: ${caught.quantity} (error ${caught.error.toExponential(2)}${caught.detail ? `, ${caught.detail}` : ''})`);
    });
  });
  test('the unmutated copy passes (the mutants fail because of the mutation)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'bptt-mutant-'));
    roots.push(root);
    cpSync(ENGINE_DIR, root, { recursive: true });
    assert.ok(readdirSync(root).includes('engine.js'));
    const copy = await import(pathToFileURL(join(root, 'engine.js')).href);
    assert.deepEqual(checkAll(copy, fixtures).filter((r) => !(r.error <= TOLERANCE)), []);
  });
});

// --- bad arguments: a clear Error naming the argument ----------------------------------------------

describe('bad arguments throw an Error that names the argument', () => {
  const c = fixtures.cases.find((k) => k.kind === 'rnn' && k.params.W_x[0].length > 1);
  const params = engine.rnnParams(c.params);
  const fp = engine.forward(params, c.x, c.d, c.model);
  const grads = engine.backward(params, fp).grads;
  const cases = [
    ['W_s not square', () => engine.rnnParams({ ...c.params, W_s: c.params.W_s.slice(1) }), /W_s must be square/],
    ['W_x of the wrong height', () => engine.rnnParams({ ...c.params, W_x: c.params.W_x.slice(1) }), /W_x must have shape/],
    ['b_h with a NaN', () => engine.rnnParams({ ...c.params, b_h: c.params.b_h.map(() => NaN) }), /b_h must hold finite numbers/],
    ['h0 given but missing', () => engine.rnnParams({ ...c.params, h0: null, h0Mode: 'given' }), /h0 must be given/],
    ['unknown activation', () => engine.forward(params, c.x, c.d, { ...c.model, activation: 'softplus' }), /activation must be one of/],
    ['cross-entropy with a linear read-out', () => engine.forward(params, c.x, c.d, { loss: 'cross_entropy' }), /needs output "softmax"/],
    ['x with the wrong D', () => engine.forward(params, c.x.map((s) => s.map((v) => [...v, 0])), c.d, c.model), /x\[0\]\[0\] must have length/],
    ['x empty', () => engine.forward(params, [], c.d, c.model), /x must be an array of N ≥ 1 sequences/],
    ['targets of the wrong length', () => engine.forward(params, c.x, c.d, { ...c.model, targets: [true] }), /targets must be/],
    ['backward without targets', () => engine.backward(params, engine.forward(params, c.x)), /fp has no loss/],
    ['k2 < k1', () => engine.truncatedBptt(params, c.x, c.d, 3, 2, c.model), /k2 must be >= k1/],
    ['k1 not an integer', () => engine.truncatedBptt(params, c.x, c.d, 1.5, 2, c.model), /k1 must be an integer/],
    ['clip mode', () => engine.clip(grads, 'elementwise', 1), /mode must be one of/],
    ['clip threshold ≤ 0', () => engine.clip(grads, 'norm', 0), /threshold must be > 0/],
    ['clip on a plain object', () => engine.clip({ W_s: [] }, 'norm', 1), /grads must be a Gradients container/],
    ['eigenvalues of a non-square matrix', () => engine.eigenvalues(engine.matrix('W_x', c.params.W_x)), /A must be square/],
    ['a ragged matrix', () => engine.matrix('W', [[1, 2], [3]]), /W must be a matrix \(rows of equal length\)/],
    ['σ_max of a non-matrix', () => engine.sigmaMax('W_s'), /A must be a matrix/],
    ['η of a W_s with a NaN', () => engine.eta([[NaN]], 'tanh'), /W_s must be finite/],
    ['Jacobians without params', () => engine.stepJacobians(null, fp), /params must come from rnnParams/],
    ['jacobian product with k > t', () => engine.jacobianProduct(params, fp, 1, 2), /k must be an integer >= 0 and <= 1/],
    ['sequence out of range', () => engine.jacobianNorms(params, fp, fp.N), /sequence must be an integer/],
    ['cliff w not finite', () => engine.cliffParams(Infinity, 0), /w must be a finite real number/],
    ['descent without a threshold', () => engine.descentPath(4.5, -2.3, 0.05, 3, 'norm'), /threshold must be given/],
    ['descent with lr = 0', () => engine.descentPath(4.5, -2.3, 0, 3), /lr must be > 0/],
  ];
  for (const [name, fn, message] of cases) {
    test(name, () => assert.throws(fn, (err) => err instanceof Error && message.test(err.message)));
  }
});

// --- overflow: reported as Infinity, never as a silent NaN -----------------------------------------

describe('overflow is reported as Infinity', () => {
  // rnnlib's exploding identity case (ρ = 3), run twenty times longer than its fixture: 3^1200 overflows.
  const c = fixtures.cases.find((k) => k.name === 'identity-exploding-rho3-all');
  const params = engine.rnnParams(c.params);
  const T = 20 * c.x[0].length;
  const x = [Array.from({ length: T }, (_, t) => c.x[0][t % c.x[0].length])];
  const d = [Array.from({ length: T }, (_, t) => c.d[0][t % c.d[0].length])];
  const fp = engine.forward(params, x, d, c.model);

  test('the forward pass says at which step h_t stopped being finite, and L = Infinity', () => {
    assert.ok(Number.isInteger(fp.overflowStep) && fp.overflowStep > c.x[0].length && fp.overflowStep <= T);
    assert.ok(fp.h[0].slice(0, fp.overflowStep).every((h) => h.every(Number.isFinite)));
    assert.equal(fp.loss, Infinity);
  });
  test('norms of overflowed vectors and Jacobian products are Infinity, not NaN', () => {
    const norms = engine.deltaNorms(engine.backward(params, fp).delta);
    assert.ok(norms.every((v) => !Number.isNaN(v)));
    assert.equal(norms[0], Infinity);
    const row = engine.jacobianNormsFrom(params, fp, T);
    assert.ok(row.every((v) => !Number.isNaN(v)));
    assert.equal(row[0], Infinity);
  });
  test('norms of large finite values do not overflow (scaled sums of squares)', () => {
    const v = Float64Array.of(3e200, -4e200);
    assert.equal(engine.norm2(v), Math.hypot(3e200, -4e200));
    const M = engine.matrix('M', [[3e200, 0], [0, -4e200]]);
    assert.equal(engine.sigmaMax(M), 4e200);
    assert.equal(engine.spectralRadius(M), 4e200);
  });
  test('the sigmoid saturates without NaN in both tails', () => {
    assert.equal(engine.sigmoid(-1000), 0);
    assert.equal(engine.sigmoid(1000), 1);
    assert.ok(engine.sigmoid(-700) > 0);
  });
});
