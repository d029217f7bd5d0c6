/**
 * Compare an engine module against rnnlib's fixtures (written by make_fixtures.py).
 *
 * checkAll(engine, fixtures) recomputes every quantity of every case with `engine` (the module
 * namespace of engine.js, or of a mutated copy) and returns one record per quantity:
 * { case, quantity, error, detail }. `error` is a relative error, to be ≤ TOLERANCE:
 *
 *   rel(e, r) = max_i |e_i − r_i| / max(1e-300, max_i |r_i|)
 *
 * with e the engine's and r rnnlib's values, taken over one *slice* at a time and maximised over
 * the slices. The slice is chosen so that small values are not hidden behind large ones:
 * - each state vector a_t, h_t, o_t, ŷ_t, δ_t, ∂L/∂a_t of each sequence on its own (δ_0 of a
 *   vanishing case is checked relative to δ_0, not to δ_T: dropping the long paths fails);
 * - a gradient as one vector over all its arrays (W_x, W_s, W_y, b_h, b_y, h0), as global_norm and
 *   relative_gradient_error treat it: one array's entries may cancel to almost nothing (a truncated
 *   ∂L/∂W_s of 3e-6 beside entries of 1), and that array alone would measure the cancellation;
 * - series of norms indexed by step or distance (‖δ_k‖, ‖∂h_t/∂h_k‖, η^(t−k), ‖C_k‖, losses along a
 *   descent path) element by element;
 * - eigenvalues and singular values together, relative to the largest (their error is absolute,
 *   ~ε‖W‖, in LAPACK as here); eigenvalues are paired greedily, nearest first.
 * - ratios that are already relative (relative gradient errors, cosines) by their absolute
 *   difference: where the truncated gradient equals the full one, the ratio is rounding noise
 *   (1e-17) whose own relative error means nothing;
 * - descent paths on the cliff step by step: from each of rnnlib's points, the engine's next
 *   point, loss, gradient norm and clipping decision. The path as a whole is ill-conditioned near
 *   the cliff (rnnlib's own path moves by up to 1e-6 when w0 moves by one ulp; the fixture stores
 *   that sensitivity), so the whole path is held to max(1e-12, 1000 × that sensitivity) instead.
 * Booleans and integers must be equal (error 0 or Infinity). A computation that throws scores
 * Infinity, with the exception's message as detail.
 */

export const TOLERANCE = 1e-12;
const TINY = 1e-300;

/** rel(e, r) over flat arrays of numbers (see above). */
export function rel(e, r) {
  e = Array.from(e);
  r = Array.from(r);
  if (e.length !== r.length) return Infinity;
  let diff = 0, scale = 0;
  for (let i = 0; i < r.length; i++) {
    if (!Number.isFinite(e[i])) return Infinity;
    diff = Math.max(diff, Math.abs(e[i] - r[i]));
    scale = Math.max(scale, Math.abs(r[i]));
  }
  return diff / Math.max(TINY, scale);
}

/** Element by element: max_i rel(e_i, r_i). */
export function relElementwise(e, r) {
  e = Array.from(e);
  r = Array.from(r);
  if (e.length !== r.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < r.length; i++) worst = Math.max(worst, rel([e[i]], [r[i]]));
  return worst;
}

/** Slice by slice: max over k of rel(e[k], r[k]) for arrays of slices. */
export function relSlices(e, r) {
  if (e.length !== r.length) return Infinity;
  let worst = 0;
  for (let k = 0; k < r.length; k++) worst = Math.max(worst, rel(flat(e[k]), flat(r[k])));
  return worst;
}

function flat(v) {
  if (v !== null && typeof v === 'object' && v.data instanceof Float64Array) return Array.from(v.data);
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return Array.from(v).flatMap((x) => (typeof x === 'number' ? [x] : flat(x)));
  return [v];
}

const exact = (e, r) => (JSON.stringify(e) === JSON.stringify(r) ? 0 : Infinity);

/** Gradients container against {name: nested array}, as one vector; the names must agree. */
function relGrads(g, ref) {
  const names = Object.keys(ref);
  if (g.names().join() !== names.join()) return Infinity;
  return rel(names.flatMap((name) => flat(g[name])), names.flatMap((name) => flat(ref[name])));
}

/** max_i |e_i − r_i| for ratios that are relative already. */
function absDiff(e, r) {
  e = Array.from(e);
  r = Array.from(r);
  if (e.length !== r.length || !e.every(Number.isFinite)) return Infinity;
  return Math.max(0, ...e.map((v, i) => Math.abs(v - r[i])));
}

/** Eigenvalues paired greedily (closest first), relative to the largest modulus of rnnlib's. */
function relEigenvalues(e, r) {
  const n = r.re.length;
  if (e.re.length !== n) return Infinity;
  const used = new Array(n).fill(false);
  let scale = 0, worst = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.hypot(r.re[i], r.im[i]));
  for (let i = 0; i < n; i++) {
    let best = -1, dist = Infinity;
    for (let j = 0; j < n; j++) {
      if (used[j]) continue;
      const d = Math.hypot(e.re[j] - r.re[i], e.im[j] - r.im[i]);
      if (d < dist) { dist = d; best = j; }
    }
    used[best] = true;
    worst = Math.max(worst, dist);
  }
  return worst / Math.max(TINY, scale);
}

/** The engine's step losses, masked as rnnlib's step_losses are. */
function maskedStepLosses(fp) {
  return fp.E.map((row, n) => row.map((E, t) => (fp.mask[n][t] ? E : 0)));
}

function rnnChecks(engine, c) {
  const X = c.expected;
  const params = () => engine.rnnParams(c.params);
  const model = c.model;
  let cache = null;
  const run = () => {
    if (cache === null) {
      const p = params();
      const fp = engine.forward(p, c.x, c.d, model);
      cache = { p, fp, bp: engine.backward(p, fp) };
    }
    return cache;
  };
  const checks = [];
  const add = (quantity, fn) => checks.push([quantity, fn]);
  const perSeq = (name, get) => X[name] !== undefined && add(name, () => Math.max(...X[name].map((seq, n) => relSlices(get(run())[n], seq))));
  perSeq('a', ({ fp }) => fp.a);
  perSeq('h', ({ fp }) => fp.h);
  perSeq('o', ({ fp }) => fp.o);
  perSeq('y_hat', ({ fp }) => fp.yHat);
  perSeq('delta', ({ bp }) => bp.delta);
  perSeq('da', ({ bp }) => bp.da);
  if (X.step_losses) add('step_losses', () => relSlices(maskedStepLosses(run().fp), X.step_losses));
  add('loss', () => rel([run().fp.loss], [X.loss]));
  add('grads', () => relGrads(run().bp.grads, X.grads));
  add('delta_norms', () => relElementwise(engine.deltaNorms(run().bp.delta), X.delta_norms));
  if (X.h) {
    add('step_forward', () => {
      const n = c.x.length - 1, t = c.x[0].length; // the last step of the last sequence, from rnnlib's h_{t-1}
      const r = engine.stepForward(params(), c.x[n][t - 1], X.h[n][t - 1], model.activation);
      return Math.max(rel(r.a, X.a[n][t - 1]), rel(r.h, X.h[n][t]));
    });
  }
  const W_s = () => engine.matrix('W_s', c.params.W_s);
  add('sigma_max', () => rel([engine.sigmaMax(W_s())], [X.sigma_max]));
  add('singular_values', () => rel(engine.singularValues(W_s()), X.singular_values));
  add('spectral_radius', () => rel([engine.spectralRadius(W_s())], [X.spectral_radius]));
  add('eigenvalues', () => relEigenvalues(engine.eigenvalues(W_s()), X.eigenvalues));
  add('eta', () => rel([engine.eta(W_s(), model.activation)], [X.eta]));
  add('pascanu_bound', () => relElementwise(engine.pascanuBound(W_s(), model.activation, X.pascanu_bound.map((_, i) => i)), X.pascanu_bound));
  add('contribution_norms', () => relElementwise(engine.stepContributionNorms(run().fp, run().bp), X.contribution_norms));
  for (const key of ['jacobian_norms_last_row', 'jacobian_norms_middle_row']) {
    const r = X[key];
    add(key, () => relElementwise(engine.jacobianNormsFrom(run().p, run().fp, r.t, r.sequence), r.values));
  }
  if (X.jacobian_norms) {
    const r = X.jacobian_norms;
    let table = null;
    const norms = () => (table ??= engine.jacobianNorms(run().p, run().fp, r.sequence));
    add('jacobian_norms', () => Math.max(...r.values.map((row, t) => relElementwise(norms()[t], row))));
    add('norms_by_distance', () => relElementwise(engine.normsByDistance(norms()), X.norms_by_distance));
    add('effective_horizon', () => exact(engine.effectiveHorizon(engine.normsByDistance(norms()), 1e-3), X.effective_horizon));
    const sj = X.step_jacobian;
    add('step_jacobian', () => rel(flat(engine.stepJacobians(run().p, run().fp, sj.sequence)[sj.t - 1]), flat(sj.values)));
    const jp = X.jacobian_product;
    add('jacobian_product', () => rel(flat(engine.jacobianProduct(run().p, run().fp, jp.t, jp.k, jp.sequence)), flat(jp.values)));
  }
  for (const tr of X.truncated ?? []) {
    add(`truncated(k1=${tr.k1},k2=${tr.k2})`, () => {
      const r = engine.truncatedBptt(params(), c.x, c.d, tr.k1, tr.k2, model);
      return Math.max(relGrads(r.grads, tr.grads), rel([r.loss], [tr.loss]), exact(r.backwardSteps, tr.backward_steps),
        relSlices(r.hLast, tr.h_last), absDiff([engine.relativeGradientError(r.grads, run().bp.grads)], [tr.relative_error]));
    });
  }
  if (X.bias_by_k2) {
    const b = X.bias_by_k2;
    add('bias_by_k2', () => {
      const r = engine.biasByK2(params(), c.x, c.d, b.k2, model);
      return Math.max(absDiff(r.errors, b.errors), absDiff(r.cosines, b.cosines));
    });
  }
  if (X.truncation_explorer) {
    const b = X.truncation_explorer;
    add('truncation_explorer', () => absDiff(b.k2.map((k) => engine.relativeGradientError(
      engine.truncatedBptt(params(), c.x, c.d, k, k, model).grads, run().bp.grads)), b.errors));
  }
  for (const cl of X.clipping) {
    add(`clip(${cl.mode},${cl.threshold === null ? '-' : cl.threshold.toPrecision(3)})`, () => {
      const r = engine.clip(run().bp.grads, cl.mode, cl.threshold);
      const names = Object.keys(cl.norms);
      return Math.max(relGrads(r.grads, cl.grads), rel([r.norm], [cl.norm]), exact(r.clipped, cl.clipped),
        relElementwise(names.map((n) => r.norms[n]), names.map((n) => cl.norms[n])),
        absDiff([engine.cosine(r.grads, run().bp.grads)], [cl.cosine]));
    });
  }
  return checks;
}

function linalgChecks(engine, c) {
  const X = c.expected;
  const M = () => engine.matrix('M', c.matrix);
  const checks = [
    ['singular_values', () => rel(engine.singularValues(M()), X.singular_values)],
    ['sigma_max', () => rel([engine.sigmaMax(M())], [X.sigma_max])],
    ['spectral_norm_lanczos', () => rel([engine.spectralNorm(M())], [X.sigma_max])],
  ];
  if (X.eigenvalues) {
    checks.push(['eigenvalues', () => relEigenvalues(engine.eigenvalues(M()), X.eigenvalues)]);
    checks.push(['spectral_radius', () => rel([engine.spectralRadius(M())], [X.spectral_radius])]);
  }
  return checks;
}

function cliffChecks(engine, c) {
  const X = c.expected;
  const checks = [
    ['cliff_loss', () => relElementwise(c.points.map(([w, b]) => engine.cliffLossAndGrad(w, b, c.T).E), X.loss)],
    ['cliff_grad', () => relSlices(c.points.map(([w, b]) => engine.cliffLossAndGrad(w, b, c.T).grad), X.grad)],
    ['cliff_surface', () => relSlices(engine.cliffSurface(c.ws, c.bs, c.T), X.surface)],
    ['cliff_short_T', () => {
      const r = engine.cliffLossAndGrad(4.5, -2.3, X.short_T.T);
      return rel([r.E, ...r.grad], X.short_T.loss_and_grad);
    }],
  ];
  for (const p of X.paths) {
    const label = `${p.mode},${p.threshold}`;
    checks.push([`descent_step(${label})`, () => {
      let worst = 0;
      for (let k = 0; k < c.steps; k++) { // one update from rnnlib's point k must land on its point k+1
        const [w, b] = p.points[k];
        const r = engine.descentPath(w, b, c.lr, 1, p.mode, p.threshold, c.T);
        worst = Math.max(worst, rel(r.points[1], p.points[k + 1]), rel([r.losses[0]], [p.losses[k]]),
          rel([r.gradNorms[0]], [p.grad_norms[k]]), exact(r.clipped[0], p.clipped[k]), rel([r.stepLengths[0]], [p.step_lengths[k]]));
      }
      return worst;
    }]);
    checks.push([`descent_path(${label})`, () => {
      const r = engine.descentPath(c.start[0], c.start[1], c.lr, c.steps, p.mode, p.threshold, c.T);
      const error = Math.max(rel(r.points.flat(), p.points.flat()), relElementwise(r.losses, p.losses));
      // Scaled so that the common tolerance applies: error ≤ max(1e-12, 1000 × rnnlib's 1-ulp sensitivity).
      return Math.max(exact(r.clipped, p.clipped), (error * TOLERANCE) / Math.max(TOLERANCE, 1000 * p.ulp_sensitivity));
    }]);
  }
  return checks;
}

/** The checks of one fixture case: [quantity, () => error] pairs, run lazily. */
export function caseChecks(engine, c) {
  return { rnn: rnnChecks, linalg: linalgChecks, cliff: cliffChecks }[c.kind](engine, c);
}

/**
 * Run every check of every case. With `stopAtFirstFailure`, return as soon as one check fails
 * (what the mutation test needs: proof that the suite can fail, quickly).
 * @returns {{case: string, quantity: string, error: number, detail: string}[]}
 */
export function checkAll(engine, fixtures, { stopAtFirstFailure = false } = {}) {
  const out = [];
  for (const c of fixtures.cases) {
    for (const [quantity, fn] of caseChecks(engine, c)) {
      let error, detail = '';
      try {
        error = fn();
      } catch (exc) {
        error = Infinity;
        detail = `threw: ${exc.message}`;
      }
      if (Number.isNaN(error)) error = Infinity;
      out.push({ case: c.name, quantity, error, detail });
      if (stopAtFirstFailure && !(error <= TOLERANCE)) return out;
    }
  }
  return out;
}
