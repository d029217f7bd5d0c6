/**
 * Why gradients vanish or explode: Jacobian products and their bound (chapter 6), as
 * rnnlib.diagnostics computes them.
 *
 *     ∂h_t/∂h_k = Π_{j=k+1..t} ∂h_j/∂h_{j-1} = Π_{j=k+1..t} diag(f′(a_j)) W_s      (eq. jacobian-product)
 *     ‖∂h_t/∂h_k‖₂ ≤ (γ σ_max(W_s))^(t−k) = η^(t−k)                      (Pascanu, Mikolov & Bengio 2013)
 *
 * Norms are spectral norms (largest singular values), by the warm-started Lanczos iteration (linalg.js).
 * @module diagnostics
 */
import { getActivation } from './activations.js';
import { eye, isMatrix, lanczosSigmaMax, matMul, norm2, sigmaMax, zeros } from './linalg.js';
import { describe, integer, real } from './validate.js';

function checkForward(params, fp, sequence) {
  if (params === null || typeof params !== 'object' || !isMatrix(params.W_s)) {
    throw new Error(`params must come from rnnParams({W_x, W_s, W_y, b_h, b_y}); got ${describe(params)}`);
  }
  if (fp === null || typeof fp !== 'object' || !Array.isArray(fp.a)) {
    throw new Error(`fp must be the forward pass returned by forward(); got ${describe(fp)}`);
  }
  if (fp.h[0][0].length !== params.H) {
    throw new Error(`params has H = ${params.H} but the forward pass has H = ${fp.h[0][0].length}`);
  }
  return integer('sequence', sequence, { min: 0, max: fp.N - 1 });
}

/** J_t = ∂h_t/∂h_{t-1} = diag(f′(a_t)) W_s for t = 1..T of one sequence; `J[t-1]` is J_t, each (H, H). */
export function stepJacobians(params, fp, sequence = 0) {
  const n = checkForward(params, fp, sequence);
  const H = params.H, ws = params.W_s.data;
  return fp.a[n].map((a_t, i) => {
    const h_t = fp.h[n][i + 1];
    const J = zeros(H, H);
    for (let p = 0; p < H; p++) {
      const fp_p = fp.activation.df(a_t[p], h_t[p]); // row p of W_s scaled by f′(a_{t,p})
      for (let q = 0; q < H; q++) J.data[p * H + q] = fp_p * ws[p * H + q];
    }
    return J;
  });
}

/** ∂h_t/∂h_k = J_t J_{t-1} … J_{k+1} for one sequence, (H, H); the identity when t = k. */
export function jacobianProduct(params, fp, t, k, sequence = 0) {
  const J = stepJacobians(params, fp, sequence);
  integer('t', t, { min: 0, max: fp.T });
  integer('k', k, { min: 0, max: t });
  let P = eye(params.H);
  for (let j = k + 1; j <= t; j++) P = matMul(J[j - 1], P); // ∂h_j/∂h_k = J_j ∂h_{j-1}/∂h_k
  return P;
}

/**
 * ‖∂h_t/∂h_k‖₂ for all 0 ≤ k, t ≤ T of one sequence (rnnlib.jacobian_norms): `norms[t][k]`,
 * T+1 rows of T+1 values, zero above the diagonal (k > t), one on it. The heat map of chapter 6.
 * Cost O(T² H³): about T²/2 matrix products.
 */
export function jacobianNorms(params, fp, sequence = 0) {
  const J = stepJacobians(params, fp, sequence);
  const T = fp.T, H = params.H;
  const norms = Array.from({ length: T + 1 }, () => new Float64Array(T + 1));
  const P = new Array(T + 1); // P[k] = ∂h_t/∂h_k for the current t
  const v = new Array(T + 1).fill(null); // right singular vectors, to warm-start the next t
  for (let t = 0; t <= T; t++) {
    for (let k = 0; k < t; k++) P[k] = matMul(J[t - 1], P[k]);
    P[t] = eye(H);
    for (let k = 0; k <= t; k++) {
      const r = lanczosSigmaMax(P[k], v[k]);
      norms[t][k] = r.sigma;
      v[k] = r.vector;
    }
  }
  return norms;
}

/**
 * ‖∂h_t/∂h_k‖₂ for k = 0..t of one sequence: row t of jacobianNorms at O(t H³) cost, t products
 * ∂h_t/∂h_k = (∂h_t/∂h_{k+1}) J_{k+1} instead of T²/2. Returns Float64Array(t+1), entry k.
 */
export function jacobianNormsFrom(params, fp, t, sequence = 0) {
  const J = stepJacobians(params, fp, sequence);
  integer('t', t, { min: 0, max: fp.T });
  const out = new Float64Array(t + 1);
  let Q = eye(params.H);
  let u = null; // left singular vector (in h_t's space): it barely moves as k decreases
  for (let k = t; k >= 0; k--) {
    if (k < t) Q = matMul(Q, J[k]); // ∂h_t/∂h_k = ∂h_t/∂h_{k+1} · J_{k+1}
    const r = lanczosSigmaMax(Q, u, { left: true });
    out[k] = r.sigma;
    u = r.vector;
  }
  return out;
}

/** From jacobianNorms (T+1 rows): for each distance t − k = 0..T the largest norm, Float64Array(T+1). */
export function normsByDistance(norms) {
  if (!Array.isArray(norms) || norms.length === 0 || !norms.every((row) => row.length === norms.length)) {
    throw new Error(`norms must be the square table returned by jacobianNorms(); got ${describe(norms)}`);
  }
  const T1 = norms.length;
  const out = new Float64Array(T1);
  for (let dist = 0; dist < T1; dist++) {
    let m = -Infinity;
    for (let t = dist; t < T1; t++) m = Math.max(m, norms[t][t - dist]);
    out[dist] = m;
  }
  return out;
}

/** η = γ σ_max(W_s): below 1, gradients must vanish geometrically (a sufficient condition). */
export function eta(W_s, activation) {
  return getActivation(activation).gamma * sigmaMax(W_s, 'W_s');
}

/** The bound η^(t−k) for each distance t − k (non-negative integers), Float64Array like distances. */
export function pascanuBound(W_s, activation, distances) {
  const e = eta(W_s, activation);
  if (!(Array.isArray(distances) || ArrayBuffer.isView(distances))) {
    throw new Error(`distances must be an array of non-negative integers; got ${describe(distances)}`);
  }
  return Float64Array.from(distances, (dist, i) => e ** integer(`distances[${i}]`, dist, { min: 0 }));
}

/** ‖δ_k‖ = ‖∂L/∂h_k‖ for k = 0..T, averaged over the batch, from backward(...).delta (N × (T+1) vectors). */
export function deltaNorms(delta) {
  if (!Array.isArray(delta) || delta.length === 0 || !Array.isArray(delta[0])) {
    throw new Error(`delta must be backward(...).delta, N arrays of T+1 vectors; got ${describe(delta)}`);
  }
  const T1 = delta[0].length;
  const out = new Float64Array(T1);
  for (const seq of delta) for (let k = 0; k < T1; k++) out[k] += norm2(seq[k]) / delta.length;
  return out;
}

/**
 * The largest distance at which `values` (indexed by distance, values[0] the reference) is still
 * at least `threshold` times values[0] (rnnlib.effective_horizon).
 */
export function effectiveHorizon(values, threshold = 1e-3) {
  real('threshold', threshold, { min: 0, strictMin: true });
  if (!(values.length > 0) || !(values[0] > 0)) {
    throw new Error(`values[0] must be positive (the reference); got ${describe(values[0])}`);
  }
  let horizon = 0;
  for (let i = 0; i < values.length; i++) if (values[i] >= threshold * values[0]) horizon = i;
  return horizon;
}
