/**
 * Truncated BPTT over a stream: the k1/k2 scheme (chapter 5), as rnnlib.truncation computes it,
 * with the parameters held fixed (no update applied between windows).
 *
 * TBPTT(k1, k2) (Williams & Peng 1990; Sutskever 2013): every k1 steps, take the losses of the
 * last k1 steps and back-propagate them k2 steps, treating the state that enters the window,
 * h_{t−k2}, as a constant. The state itself is carried forward; only the gradient is cut. The last,
 * shorter group of losses (when k1 does not divide T) is back-propagated min(k2, T) steps too.
 * k1 = T with k2 ≥ T is full BPTT.
 * @module truncation
 */
import { addOutputGradients, addWeightGradients, backward, forward, Gradients, readoutGradients, sweep, zeroGradients } from './rnn.js';
import { cosine } from './clipping.js';
import { describe, integer } from './validate.js';

function addInto(total, g) {
  for (const [name, v] of g.entries()) {
    const t = total.entries().find(([n]) => n === name)[1];
    for (let i = 0; i < v.length; i++) t[i] += v[i];
  }
}

/**
 * Truncated BPTT(k1, k2) over N streams of T steps (rnnlib.truncated_bptt with fixed parameters).
 *
 * @param {object} params  from rnnParams
 * @param {number[][][]} x  (N, T, D)
 * @param {Array} d  targets, as for forward()
 * @param {number} k1  an update every k1 steps (1 ≤ k1 ≤ T), covering those k1 steps' losses
 * @param {number} k2  steps each update back-propagates (k2 ≥ k1; capped at the stream's start)
 * @param {object} [model]  activation, output, loss, targets, h0 as for forward()
 * @returns {{loss: number, grads: Gradients, backwardSteps: number, hLast: Float64Array[],
 *   updates: {t: number, lossStart: number, start: number, grads: Gradients}[]}}
 *   grads is the sum of the updates' gradients; backwardSteps ≈ T·k2/k1 (summed over updates)
 */
export function truncatedBptt(params, x, d, k1, k2, model = {}) {
  const fp = forward(params, x, d, model);
  const { N, T } = fp;
  integer('k1', k1, { min: 1, max: T });
  integer('k2', k2, { min: 1 });
  if (k2 < k1) throw new Error(`k2 must be >= k1 = ${k1} (each loss is back-propagated at least once); got k2 = ${k2}`);
  const ends = [];
  for (let t = k1; t <= T; t += k1) ends.push(t);
  if (ends[ends.length - 1] !== T) ends.push(T); // the last, shorter group of losses
  const total = zeroGradients(params);
  const updates = [];
  let backwardSteps = 0, lossStart = 0;
  const dhOutAll = Array.from({ length: N }, (_, n) => readoutGradients(params, fp, n));
  for (const t of ends) {
    const start = Math.max(0, t - k2); // h_start is held fixed
    const g = zeroGradients(params);
    for (let n = 0; n < N; n++) {
      // Only the losses of steps lossStart+1..t enter this update; earlier steps of the window pass δ on.
      const dhOut = dhOutAll[n].map((v, i) => (i >= lossStart && i < t ? v : null));
      const da = new Array(T);
      const dhStart = sweep(params.W_s, fp.activation, fp.a[n], fp.h[n], dhOut, start, t, da);
      addWeightGradients(g, da, fp.h[n], fp.x[n], start, t);
      addOutputGradients(g, fp.dO[n], fp.h[n], lossStart, t);
      // The gradient reaches h_0 only if the window does, and params.h0 only if it was used.
      if (g.h0 !== undefined && start === 0 && !fp.h0Given) for (let j = 0; j < params.H; j++) g.h0[j] += dhStart[j];
    }
    backwardSteps += t - start;
    addInto(total, g);
    updates.push({ t, lossStart, start, grads: g });
    lossStart = t;
  }
  return { loss: fp.loss, grads: total, backwardSteps, hLast: fp.h.map((h) => Float64Array.from(h[T])), updates };
}

/**
 * ‖g − g_ref‖ / ‖g_ref‖ over every parameter together (rnnlib.relative_gradient_error): the bias of
 * a truncated gradient g against the full gradient; 0 when they agree, 1 when g is zero.
 */
export function relativeGradientError(grads, reference) {
  for (const [name, v] of [['grads', grads], ['reference', reference]]) {
    if (!(v instanceof Gradients)) throw new Error(`${name} must be a Gradients container; got ${describe(v)}`);
  }
  if (grads.names().join() !== reference.names().join()) {
    throw new Error(`grads and reference must hold the same parameters; got ${grads.names()} and ${reference.names()}`);
  }
  const refNorm = reference.norm();
  if (refNorm === 0) throw new Error('reference must be a non-zero gradient; got a zero gradient');
  const a = new Map(grads.entries());
  return reference.map((v, name) => Float64Array.from(v, (r, i) => a.get(name)[i] - r)).norm() / refNorm;
}

/**
 * How far truncated BPTT(k1, k2) is from full BPTT for each k2 (rnnlib.bias_by_k2).
 * @param {number[]} k2Values  each ≥ k1
 * @param {object} [options]  k1 (default 1: every loss back-propagated min(k2, t) steps), full (the
 *   full gradient, if known), and activation, output, loss, targets as for forward()
 * @returns {{errors: Float64Array, cosines: Float64Array}}  relative errors and cosines against full BPTT
 */
export function biasByK2(params, x, d, k2Values, { k1 = 1, full = null, ...model } = {}) {
  const reference = full ?? backward(params, forward(params, x, d, model)).grads;
  const errors = new Float64Array(k2Values.length), cosines = new Float64Array(k2Values.length);
  k2Values.forEach((k2, i) => {
    const g = truncatedBptt(params, x, d, k1, k2, model).grads;
    errors[i] = relativeGradientError(g, reference);
    cosines[i] = cosine(g, reference);
  });
  return { errors, cosines };
}
