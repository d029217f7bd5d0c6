/**
 * The vanilla RNN's forward pass and full backpropagation through time (chapters 1–4), in the
 * course notation and with rnnlib's losses and normalisation:
 *
 *     a_t = W_s h_{t-1} + W_x x_t + b_h,   h_t = f(a_t),   o_t = W_y h_t + b_y,   ŷ_t = g(o_t)
 *     L = (1/N) Σ_n Σ_t m_{n,t} E_t                                   (chapter 2, eq. total-loss)
 *     δ_t = ∂L/∂h_t = W_yᵀ ∂L/∂o_t + W_sᵀ (f′(a_{t+1}) ⊙ δ_{t+1})       (chapter 3, eq. delta-recursion)
 *     ∂L/∂W_s = Σ_t (f′(a_t) ⊙ δ_t) h_{t-1}ᵀ,  ∂L/∂W_x = Σ_t (f′(a_t) ⊙ δ_t) x_tᵀ   (eq. weight-gradients)
 *
 * Losses (rnnlib.losses): "squared", E_t = Σ_o (ŷ_{t,o} − d_{t,o})² (no ½), with output "linear"
 * or "softmax"; "cross_entropy", E_t = −log ŷ_{t,d_t}, with output "softmax" and integer labels.
 *
 * Indexing. Arrays are per sequence, then per step, 0-based: `x[n][t-1]` is x_t (t = 1..T),
 * `h[n][t]` is h_t (t = 0..T, so `h[n][0]` is h_0), `a[n][t-1]` is a_t, `delta[n][t]` is δ_t
 * and `da[n][t-1]` is ∂L/∂a_t. Each vector is a Float64Array. Sizes: N sequences, T steps,
 * D inputs, H hidden units, O outputs.
 * @module rnn
 */
import { getActivation } from './activations.js';
import { isMatrix, matrix, matTVec, maxAbs, zeros } from './linalg.js';
import { choice, describe, vector } from './validate.js';

export const OUTPUTS = Object.freeze(['linear', 'softmax']);
export const LOSSES = Object.freeze(['squared', 'cross_entropy']);
export const H0_MODES = Object.freeze(['zeros', 'given', 'trainable']);
const PARAMETER_NAMES = Object.freeze(['W_x', 'W_s', 'W_y', 'b_h', 'b_y']);

// --- parameters and gradients -------------------------------------------------------------------

/**
 * A set of arrays named like the RNN's parameters: the parameters themselves or their gradients.
 * Matrices are engine matrices (see linalg.js), biases and h0 Float64Arrays. The container does its
 * own algebra (norm, dot, map), so no caller loops over parameter names.
 */
export class Gradients {
  /** @param {{W_x, W_s, W_y, b_h, b_y, h0?}} arrays  W_x (H, D), W_s (H, H), W_y (O, H), b_h (H,), b_y (O,), h0 (H,) if trainable */
  constructor(arrays) {
    for (const name of PARAMETER_NAMES) this[name] = arrays[name];
    if (arrays.h0 !== undefined && arrays.h0 !== null) this.h0 = arrays.h0;
  }

  /** The names of the arrays held: the weights and biases, and h0 when it is trainable. */
  names() {
    return this.h0 === undefined ? [...PARAMETER_NAMES] : [...PARAMETER_NAMES, 'h0'];
  }

  /** [name, Float64Array of the entries] for every array. */
  entries() {
    return this.names().map((name) => [name, isMatrix(this[name]) ? this[name].data : this[name]]);
  }

  /** A new container with fn applied to each array's entries: fn(values, name) → Float64Array. */
  map(fn) {
    const out = {};
    for (const name of this.names()) {
      const v = this[name];
      out[name] = isMatrix(v) ? { rows: v.rows, cols: v.cols, data: fn(v.data, name) } : fn(v, name);
    }
    return new Gradients(out);
  }

  copy() {
    return this.map((values) => Float64Array.from(values));
  }

  /** ‖g‖₂ over every array taken together (rnnlib.global_norm). */
  norm() {
    const arrays = this.entries().map(([, v]) => v);
    const m = Math.max(...arrays.map(maxAbs));
    if (m === 0 || m === Infinity) return m;
    let s = 0; // scaled by the largest entry, so that squaring never overflows
    for (const v of arrays) for (let i = 0; i < v.length; i++) s += (v[i] / m) ** 2;
    return m * Math.sqrt(s);
  }

  /** Σ over every entry of this · other. */
  dot(other) {
    let s = 0;
    for (const [name, v] of this.entries()) {
      const w = isMatrix(other[name]) ? other[name].data : other[name];
      for (let i = 0; i < v.length; i++) s += v[i] * w[i];
    }
    return s;
  }
}

/**
 * Checked RNN parameters (rnnlib.RNNParams): W_x (H, D), W_s (H, H), W_y (O, H), b_h (H,), b_y (O,),
 * h0 (H,) and h0Mode ("zeros": h_0 = 0; "given": fixed h_0; "trainable": h_0 receives a gradient).
 * Matrices may be nested arrays or engine matrices; the result holds engine matrices and sizes D, H, O.
 */
export function rnnParams({ W_x, W_s, W_y, b_h, b_y, h0 = null, h0Mode = 'zeros' }) {
  const Ws = matrix('W_s', W_s);
  const H = Ws.rows;
  if (Ws.cols !== H) throw new Error(`W_s must be square (H, H); got shape (${Ws.rows}, ${Ws.cols})`);
  const Wx = matrix('W_x', W_x, H, null);
  const Wy = matrix('W_y', W_y, null, H);
  const O = Wy.rows;
  choice('h0Mode', h0Mode, H0_MODES);
  let initial;
  if (h0 === null || h0 === undefined) {
    if (h0Mode === 'given') throw new Error("h0 must be given (an array of length H) when h0Mode is 'given'; got none");
    initial = new Float64Array(H);
  } else {
    initial = vector('h0', h0, H);
    if (h0Mode === 'zeros' && initial.some((v) => v !== 0)) {
      throw new Error("h0 must be zeros when h0Mode is 'zeros'; got a non-zero h0 (use 'given' or 'trainable')");
    }
  }
  return {
    W_x: Wx, W_s: Ws, W_y: Wy, b_h: vector('b_h', b_h, H), b_y: vector('b_y', b_y, O),
    h0: initial, h0Mode, D: Wx.cols, H, O,
  };
}

function checkParams(params) {
  if (params === null || typeof params !== 'object' || !isMatrix(params.W_s) || !(params.b_h instanceof Float64Array)) {
    throw new Error(`params must come from rnnParams({W_x, W_s, W_y, b_h, b_y}); got ${describe(params)}`);
  }
  return params;
}

// --- inputs and targets ---------------------------------------------------------------------------

/** (N, T, width) nested arrays → array of N arrays of T Float64Arrays, checked. */
function sequences(name, value, width, widthName) {
  if (!Array.isArray(value) || value.length === 0) {
    throw new Error(`${name} must be an array of N ≥ 1 sequences, shape (N, T, ${widthName}); got ${describe(value)}`);
  }
  const T = Array.isArray(value[0]) ? value[0].length : -1;
  if (T < 1) throw new Error(`${name} must have shape (N, T, ${widthName}) with T ≥ 1; got ${describe(value[0])} for sequence 0`);
  return value.map((seq, n) => {
    if (!Array.isArray(seq) || seq.length !== T) {
      throw new Error(`${name} must have shape (N, T = ${T}, ${widthName}); sequence ${n} is ${describe(seq)}`);
    }
    return seq.map((v, t) => vector(`${name}[${n}][${t}]`, v, width));
  });
}

/** The target mask m[n][t] (booleans) for targets "all", "last", a boolean (T,) or (N, T) array. */
export function targetMask(targets, N, T) {
  if (targets === 'all' || targets === 'last') {
    return Array.from({ length: N }, () => Array.from({ length: T }, (_, t) => targets === 'all' || t === T - 1));
  }
  const ok = (row) => Array.isArray(row) && row.length === T && row.every((v) => typeof v === 'boolean');
  if (ok(targets)) return Array.from({ length: N }, () => [...targets]);
  if (Array.isArray(targets) && targets.length === N && targets.every(ok)) return targets.map((row) => [...row]);
  throw new Error(`targets must be "all", "last" or booleans of shape (T,) = (${T},) or (N, T) = (${N}, ${T}); got ${describe(targets)}`);
}

/** Targets per sequence and step: Float64Array(O) (squared) or an integer label (cross_entropy); null when unmasked. */
function prepareTargets(d, targets, lossName, N, T, O, mask) {
  const last = targets === 'last';
  const out = Array.from({ length: N }, () => new Array(T).fill(null));
  if (!Array.isArray(d) || d.length !== N) throw new Error(`d must hold targets for N = ${N} sequences; got ${describe(d)}`);
  for (let n = 0; n < N; n++) {
    for (let t = 0; t < T; t++) {
      if (!mask[n][t]) continue;
      const raw = last ? d[n] : (Array.isArray(d[n]) && d[n].length === T ? d[n][t] : undefined);
      if (raw === undefined) {
        const shape = lossName === 'squared' ? (last ? '(N, O)' : '(N, T, O)') : (last ? '(N,)' : '(N, T)');
        throw new Error(`d must have shape ${shape} for loss "${lossName}" and targets ${describe(targets)}; got ${describe(d[n])} for sequence ${n}`);
      }
      if (lossName === 'squared') {
        out[n][t] = vector(last ? `d[${n}]` : `d[${n}][${t}]`, raw, O);
      } else {
        if (!Number.isInteger(raw) || raw < 0 || raw >= O) {
          throw new Error(`d must hold class labels in [0, ${O}) for loss "cross_entropy"; got ${describe(raw)} for sequence ${n}, step ${t + 1}`);
        }
        out[n][t] = raw;
      }
    }
  }
  return out;
}

/** Softmax of a vector, shifted by its maximum so that exp never overflows. */
export function softmax(o) {
  let m = -Infinity;
  for (const v of o) m = Math.max(m, v);
  const z = Float64Array.from(o, (v) => Math.exp(v - m));
  let s = 0;
  for (const v of z) s += v;
  for (let i = 0; i < z.length; i++) z[i] /= s;
  return z;
}

/** E_t and ∂L/∂o_t for one step (rnnlib.losses.loss_and_grad), given the step's mask m and N. */
function stepLoss(o, yHat, target, m, output, lossName, N) {
  const O = o.length;
  const dO = new Float64Array(O);
  let E = 0;
  if (lossName === 'squared') {
    if (target === null) return { E: 0, dO };
    const g = new Float64Array(O);
    for (let i = 0; i < O; i++) {
      const diff = yHat[i] - target[i];
      E += diff * diff;
      g[i] = diff * (2 / N) * m; // ∂L/∂ŷ = (2/N) m (ŷ − d)
    }
    if (output === 'linear') return { E, dO: g };
    let gy = 0; // softmax Jacobian: ∂ŷ_i/∂o_j = ŷ_i (δ_ij − ŷ_j)
    for (let i = 0; i < O; i++) gy += g[i] * yHat[i];
    for (let i = 0; i < O; i++) dO[i] = yHat[i] * (g[i] - gy);
    return { E, dO };
  }
  if (target === null) return { E: 0, dO };
  let mx = -Infinity;
  for (const v of o) mx = Math.max(mx, v);
  let s = 0;
  for (const v of o) s += Math.exp(v - mx);
  E = Math.log(s) - (o[target] - mx); // −log softmax(o)[d], computed stably
  for (let i = 0; i < O; i++) dO[i] = ((i === target ? yHat[i] - 1 : yHat[i]) * m) / N;
  return { E, dO };
}

// --- one step (chapter 1) ---------------------------------------------------------------------------

/**
 * One step of the recurrence, a_t = W_s h_{t-1} + W_x x_t + b_h and h_t = f(a_t), for one sequence.
 * @param {object} params  from rnnParams
 * @param {Float64Array} x_t  shape (D,)
 * @param {Float64Array} h_prev  h_{t-1}, shape (H,)
 * @returns {{a: Float64Array, h: Float64Array}}  a_t and h_t, shape (H,)
 */
export function stepForward(params, x_t, h_prev, activation = 'tanh') {
  checkParams(params);
  const act = getActivation(activation);
  const x = vector('x_t', x_t, params.D), hp = vector('h_prev', h_prev, params.H);
  const a = new Float64Array(params.H), h = new Float64Array(params.H);
  step(params, act, x, hp, a, h);
  return { a, h };
}

function step(params, act, x, hPrev, a, h) {
  const { W_x, W_s, b_h, D, H } = params;
  const wx = W_x.data, ws = W_s.data;
  for (let i = 0; i < H; i++) {
    let input = 0;
    for (let j = 0; j < D; j++) input += wx[i * D + j] * x[j];
    let recurrent = 0;
    for (let j = 0; j < H; j++) recurrent += ws[i * H + j] * hPrev[j];
    a[i] = (input + b_h[i]) + recurrent; // a_t = W_s h_{t-1} + (W_x x_t + b_h), as rnnlib adds them
    h[i] = act.f(a[i]); // h_t = f(a_t)
  }
}

// --- the whole sequence ------------------------------------------------------------------------------

/**
 * Run the RNN over N sequences and, if targets d are given, compute the loss (rnnlib.forward).
 *
 * @param {object} params  from rnnParams
 * @param {number[][][]} x  inputs, shape (N, T, D)
 * @param {Array|null} d  targets: (N, T, O) for "squared" with targets "all" or a mask, (N, O) with
 *   "last"; integer labels (N, T) or (N,) for "cross_entropy"
 * @param {object} [model]
 * @param {string} [model.activation="tanh"]  "tanh", "sigmoid", "relu" or "identity"
 * @param {string} [model.output="linear"]  "linear" or "softmax"
 * @param {string} [model.loss="squared"]  "squared" or "cross_entropy"
 * @param {string|boolean[]} [model.targets="all"]  "all", "last", or a boolean mask (T,) or (N, T)
 * @param {number[][]|null} [model.h0=null]  initial states (N, H) for this batch (a carried state);
 *   default params.h0 for every sequence
 * @returns {object} the forward pass: N, T, x, a, h, o, yHat, mask, E (per-step losses E_t, 0 at the
 *   steps without a target), dO (∂L/∂o_t), loss (L, Infinity on overflow), and overflowStep (the first
 *   t whose h_t is not finite, or null)
 */
export function forward(params, x, d = null, { activation = 'tanh', output = 'linear', loss = 'squared', targets = 'all', h0 = null } = {}) {
  checkParams(params);
  const act = getActivation(activation);
  choice('output', output, OUTPUTS);
  choice('loss', loss, LOSSES);
  if (loss === 'cross_entropy' && output !== 'softmax') {
    throw new Error(`loss "cross_entropy" needs output "softmax" (it takes log ŷ); got output ${describe(output)}`);
  }
  const { H, O, D } = params;
  const xs = sequences('x', x, D, 'D');
  const N = xs.length, T = xs[0].length;
  let h0s;
  if (h0 === null || h0 === undefined) {
    h0s = Array.from({ length: N }, () => Float64Array.from(params.h0));
  } else {
    if (!Array.isArray(h0) || h0.length !== N) throw new Error(`h0 must have shape (N, H) = (${N}, ${H}); got ${describe(h0)}`);
    h0s = h0.map((v, n) => vector(`h0[${n}]`, v, H));
  }
  const fp = {
    N, T, x: xs, a: [], h: [], o: [], yHat: [], mask: null, targets: null, E: null, dO: null,
    loss: null, activation: act, output, lossName: loss, h0Given: h0 !== null && h0 !== undefined, overflowStep: null,
  };
  const Wy = params.W_y.data;
  for (let n = 0; n < N; n++) {
    const a = [], h = [h0s[n]], o = [], yHat = [];
    for (let t = 0; t < T; t++) {
      const a_t = new Float64Array(H), h_t = new Float64Array(H);
      step(params, act, xs[n][t], h[t], a_t, h_t);
      if (fp.overflowStep === null && maxAbs(h_t) === Infinity) fp.overflowStep = t + 1;
      const o_t = new Float64Array(O);
      for (let i = 0; i < O; i++) {
        let s = 0;
        for (let j = 0; j < H; j++) s += Wy[i * H + j] * h_t[j];
        o_t[i] = s + params.b_y[i]; // o_t = W_y h_t + b_y
      }
      a.push(a_t); h.push(h_t); o.push(o_t); yHat.push(output === 'linear' ? o_t : softmax(o_t));
    }
    fp.a.push(a); fp.h.push(h); fp.o.push(o); fp.yHat.push(yHat);
  }
  if (d !== null && d !== undefined) {
    fp.mask = targetMask(targets, N, T);
    fp.targets = prepareTargets(d, targets, loss, N, T, O, fp.mask);
    fp.E = []; fp.dO = [];
    let L = 0;
    for (let n = 0; n < N; n++) {
      const E = [], dO = [];
      for (let t = 0; t < T; t++) {
        const r = stepLoss(fp.o[n][t], fp.yHat[n][t], fp.targets[n][t], fp.mask[n][t] ? 1 : 0, output, loss, N);
        E.push(r.E); dO.push(r.dO);
        if (fp.mask[n][t]) L += r.E;
      }
      fp.E.push(E); fp.dO.push(dO);
    }
    fp.loss = Number.isNaN(L) ? Infinity : L / N; // NaN here can only come from overflow
  }
  return fp;
}

/**
 * The δ recursion for one sequence over the 0-based steps start..stop-1, backwards (rnnlib's _sweep).
 *
 * `dhOut[i]` (H,) is the gradient reaching h at state index i+1 from the read-out (null: none). No
 * gradient enters from beyond `stop`. Writes ∂L/∂a into `da[i]` and δ into `delta[i+1]` (if given)
 * and returns the message W_sᵀ(f′ ⊙ δ) into state index `start`: ∂L/∂h_start.
 */
export function sweep(W_s, act, a, h, dhOut, start, stop, da, delta = null) {
  const H = W_s.rows, df = act.df;
  let carry = new Float64Array(H);
  for (let i = stop - 1; i >= start; i--) {
    const d_h = new Float64Array(H);
    const out = dhOut[i], a_i = a[i], h_i = h[i + 1];
    for (let j = 0; j < H; j++) d_h[j] = (out === null ? 0 : out[j]) + carry[j]; // δ from the read-out and from step i+2
    if (delta !== null) delta[i + 1] = d_h;
    const da_i = new Float64Array(H);
    for (let j = 0; j < H; j++) da_i[j] = df(a_i[j], h_i[j]) * d_h[j]; // ∂L/∂a = f′(a) ⊙ δ
    da[i] = da_i;
    carry = matTVec(W_s, da_i); // W_sᵀ (f′ ⊙ δ)
  }
  return carry;
}

/** Add Σ_{steps start..stop-1} da_t h_{t-1}ᵀ, da_t x_tᵀ and da_t into gW_s, gW_x, gb_h (one sequence). */
export function addWeightGradients(g, da, h, x, start, stop) {
  const H = g.W_s.rows, D = g.W_x.cols;
  const gW_s = g.W_s.data, gW_x = g.W_x.data, gb_h = g.b_h;
  for (let i = start; i < stop; i++) {
    const dai = da[i], hPrev = h[i], xi = x[i];
    for (let p = 0; p < H; p++) {
      const v = dai[p], row = p * H;
      for (let q = 0; q < H; q++) gW_s[row + q] += v * hPrev[q];
      for (let q = 0; q < D; q++) gW_x[p * D + q] += v * xi[q];
      gb_h[p] += v;
    }
  }
}

/** Add Σ_{steps start..stop-1} dO_t h_tᵀ and dO_t into gW_y, gb_y (one sequence). */
export function addOutputGradients(g, dO, h, start, stop) {
  const O = g.W_y.rows, H = g.W_y.cols;
  for (let i = start; i < stop; i++) {
    for (let p = 0; p < O; p++) {
      const v = dO[i][p];
      for (let q = 0; q < H; q++) g.W_y.data[p * H + q] += v * h[i + 1][q];
      g.b_y[p] += v;
    }
  }
}

/** A zero gradient with the shapes of params (h0 included when trainable). */
export function zeroGradients(params) {
  const { D, H, O } = params;
  return new Gradients({
    W_x: zeros(H, D), W_s: zeros(H, H), W_y: zeros(O, H), b_h: new Float64Array(H), b_y: new Float64Array(O),
    h0: params.h0Mode === 'trainable' ? new Float64Array(H) : null,
  });
}

/** W_yᵀ ∂L/∂o_t for every step of sequence n. */
export function readoutGradients(params, fp, n) {
  return fp.dO[n].map((dO) => matTVec(params.W_y, dO));
}

/**
 * Full BPTT: the exact gradient of L with respect to every parameter (rnnlib.backward).
 * @param {object} params  the parameters the forward pass used
 * @param {object} fp  from forward(params, x, d, ...) with targets d
 * @returns {{grads: Gradients, delta: Float64Array[][], da: Float64Array[][], loss: number}}
 *   delta[n][t] = δ_t = ∂L/∂h_t for t = 0..T (H,); da[n][t-1] = ∂L/∂a_t = f′(a_t) ⊙ δ_t (H,)
 */
export function backward(params, fp) {
  checkParams(params);
  if (fp === null || typeof fp !== 'object' || !Array.isArray(fp.h)) {
    throw new Error(`fp must be the forward pass returned by forward(); got ${describe(fp)}`);
  }
  if (fp.dO === null) throw new Error('fp has no loss: call forward(params, x, d, ...) with targets d before backward()');
  if (fp.h[0][0].length !== params.H || fp.x[0][0].length !== params.D || fp.o[0][0].length !== params.O) {
    throw new Error(`params (D=${params.D}, H=${params.H}, O=${params.O}) do not match the forward pass`);
  }
  const grads = zeroGradients(params);
  const delta = [], da = [];
  for (let n = 0; n < fp.N; n++) {
    const deltaN = new Array(fp.T + 1), daN = new Array(fp.T);
    deltaN[0] = sweep(params.W_s, fp.activation, fp.a[n], fp.h[n], readoutGradients(params, fp, n), 0, fp.T, daN, deltaN);
    addWeightGradients(grads, daN, fp.h[n], fp.x[n], 0, fp.T);
    addOutputGradients(grads, fp.dO[n], fp.h[n], 0, fp.T);
    if (grads.h0 !== undefined && !fp.h0Given) for (let j = 0; j < params.H; j++) grads.h0[j] += deltaN[0][j];
    delta.push(deltaN); da.push(daN);
  }
  return { grads, delta, da, loss: fp.loss };
}

/** Forward pass and full BPTT in one call: { loss, grads }. */
export function lossAndGradients(params, x, d, model = {}) {
  const fp = forward(params, x, d, model);
  return { loss: fp.loss, grads: backward(params, fp).grads };
}
