/**
 * Gradient clipping (chapter 7), as rnnlib.clipping does it: once per update, on the whole
 * gradient, after BPTT has computed it, never inside the δ recursion.
 *
 * - "norm" (Pascanu, Mikolov & Bengio 2013, Algorithm 1): if ‖g‖ ≥ θ then g ← θ g/‖g‖, with ‖g‖
 *   the norm of every parameter's gradient together. Keeps the direction.
 * - "parameter_norm": the same rule applied to each parameter's gradient separately.
 * - "value": each entry clipped into [−θ, θ]. Changes the direction.
 * @module clipping
 */
import { norm2 } from './linalg.js';
import { Gradients } from './rnn.js';
import { choice, describe, real } from './validate.js';

export const CLIP_MODES = Object.freeze(['norm', 'parameter_norm', 'value']);

function checkGrads(name, grads) {
  if (!(grads instanceof Gradients)) throw new Error(`${name} must be a Gradients container; got ${describe(grads)}`);
  return grads;
}

/** ‖g‖₂ over every array of the gradient taken together (rnnlib.global_norm). */
export function globalNorm(grads) {
  return checkGrads('grads', grads).norm();
}

/**
 * @typedef {object} Clipped
 * @property {Gradients} grads  the gradient after clipping (a new container)
 * @property {number} norm  ‖g‖ before clipping
 * @property {Object<string, number>} norms  each parameter's gradient norm before clipping
 * @property {boolean} clipped  whether anything was changed
 */

function normsOf(grads) {
  return Object.fromEntries(grads.entries().map(([name, v]) => [name, norm2(v)]));
}

/** Algorithm 1 of Pascanu et al. (2013): if ‖g‖ ≥ θ then g ← θ g/‖g‖. @returns {Clipped} */
export function clipByGlobalNorm(grads, threshold) {
  checkGrads('grads', grads);
  real('threshold', threshold, { min: 0, strictMin: true });
  const norm = grads.norm();
  const factor = norm >= threshold && norm > 0 ? threshold / norm : 1; // at equality the factor is 1
  return { grads: grads.map((v) => Float64Array.from(v, (g) => g * factor)), norm, norms: normsOf(grads), clipped: norm > threshold };
}

/** Algorithm 1 applied to each parameter's gradient on its own. @returns {Clipped} */
export function clipByParameterNorm(grads, threshold) {
  checkGrads('grads', grads);
  real('threshold', threshold, { min: 0, strictMin: true });
  const norms = normsOf(grads);
  const clipped = Object.values(norms).some((n) => n > threshold);
  const out = grads.map((v, name) => {
    const factor = norms[name] >= threshold && norms[name] > 0 ? threshold / norms[name] : 1;
    return Float64Array.from(v, (g) => g * factor);
  });
  return { grads: out, norm: grads.norm(), norms, clipped };
}

/** Clip every entry into [−θ, θ]; the direction of g generally changes. @returns {Clipped} */
export function clipByValue(grads, threshold) {
  checkGrads('grads', grads);
  real('threshold', threshold, { min: 0, strictMin: true });
  let clipped = false;
  const out = grads.map((v) => Float64Array.from(v, (g) => {
    if (Math.abs(g) > threshold) clipped = true;
    return Math.min(Math.max(g, -threshold), threshold);
  }));
  return { grads: out, norm: grads.norm(), norms: normsOf(grads), clipped };
}

/** Clip with mode "norm", "parameter_norm" or "value"; mode null leaves the gradient unchanged. @returns {Clipped} */
export function clip(grads, mode, threshold) {
  if (mode === null) {
    checkGrads('grads', grads);
    return { grads: grads.copy(), norm: grads.norm(), norms: normsOf(grads), clipped: false };
  }
  choice('mode', mode, CLIP_MODES);
  return { norm: clipByGlobalNorm, parameter_norm: clipByParameterNorm, value: clipByValue }[mode](grads, threshold);
}

/** cos∠(g1, g2) over every parameter (1: the same direction); both must be non-zero. */
export function cosine(g1, g2) {
  checkGrads('g1', g1);
  checkGrads('g2', g2);
  const n1 = g1.norm(), n2 = g2.norm();
  if (n1 === 0 || n2 === 0) throw new Error('cosine() needs two non-zero gradients; got a zero gradient');
  return g1.dot(g2) / (n1 * n2);
}
