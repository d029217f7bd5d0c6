/**
 * The cliff of Pascanu, Mikolov & Bengio (2013), Figure 6 (chapter 7), as rnnlib.cliff builds it.
 *
 *     x_t = w σ(x_{t−1}) + b,   x_0 = 0.5,   error E = (σ(x_50) − 0.7)²
 *
 * is an ordinary RNN with one hidden unit and no input: a_t = x_t, h_t = σ(a_t), W_s = [[w]],
 * b_h = [b], h_0 = σ(0.5) given, a linear read-out o_t = h_t and a squared loss at the last step
 * with target 0.7. Its error and gradient come from forward() and backward(), and gradient descent
 * on (w, b) is clipped with clip() like any other gradient.
 * @module cliff
 */
import { sigmoid } from './activations.js';
import { clip } from './clipping.js';
import { backward, forward, rnnParams } from './rnn.js';
import { describe, integer, real, vector } from './validate.js';

/** The setting of Pascanu et al. (2013), Figure 6. */
export const CLIFF_T = 50;
export const CLIFF_X0 = 0.5;
export const CLIFF_TARGET = 0.7;
/** The model options of forward() for the cliff. */
export const CLIFF_MODEL = Object.freeze({ activation: 'sigmoid', output: 'linear', loss: 'squared', targets: 'last' });

/** The single unit as RNN parameters (D = H = O = 1): W_s = [[w]], b_h = [b], h_0 = σ(x_0) given. */
export function cliffParams(w, b) {
  return rnnParams({
    W_x: [[0]], W_s: [[real('w', w)]], W_y: [[1]], b_h: [real('b', b)], b_y: [0], h0: [sigmoid(CLIFF_X0)], h0Mode: 'given',
  });
}

/** Inputs and target: x zeros (1, T, 1) and d = [[0.7]] (1, 1). */
export function cliffTask(T = CLIFF_T) {
  integer('T', T);
  return { x: [Array.from({ length: T }, () => [0])], d: [[CLIFF_TARGET]] };
}

/** The forward pass for one (w, b); its loss is (σ(x_T) − 0.7)². */
export function cliffForward(w, b, T = CLIFF_T) {
  const { x, d } = cliffTask(T);
  return forward(cliffParams(w, b), x, d, CLIFF_MODEL);
}

/** E(w, b) and its gradient [∂E/∂w, ∂E/∂b] by full BPTT. @returns {{E: number, grad: number[]}} */
export function cliffLossAndGrad(w, b, T = CLIFF_T) {
  const params = cliffParams(w, b);
  const fp = cliffForward(w, b, T);
  const g = backward(params, fp).grads;
  return { E: fp.loss, grad: [g.W_s.data[0], g.b_h[0]] };
}

/**
 * The error over a grid: `E[i][j]` at w = ws[j], b = bs[i] (rows are b), n_b Float64Arrays of n_w.
 * The same recurrence as forward(), h_t = σ(w h_{t−1} + b), one grid point at a time.
 */
export function cliffSurface(ws, bs, T = CLIFF_T) {
  const W = vector('ws', ws), B = vector('bs', bs);
  integer('T', T);
  const h0 = sigmoid(CLIFF_X0);
  return Array.from(B, (b) => Float64Array.from(W, (w) => {
    let h = h0;
    for (let t = 0; t < T; t++) h = sigmoid(w * h + b); // h_t = σ(a_t), a_t = w h_{t−1} + b
    return (h - CLIFF_TARGET) ** 2;
  }));
}

/**
 * Plain gradient descent on (w, b) from (w0, b0), each gradient clipped with clip() (rnnlib.cliff.descent_path).
 * Only w and b are trained: the read-out's gradient is zeroed before clipping, so the global norm is
 * ‖(∂E/∂w, ∂E/∂b)‖.
 * @param {string|null} clipMode  null (no clipping), "norm", "parameter_norm" or "value"
 * @param {number|null} threshold  θ, required with clipMode
 * @returns {{points: number[][], losses: Float64Array, gradNorms: Float64Array, clipped: boolean[], stepLengths: Float64Array}}
 *   points (steps+1) × [w, b]; losses at each point; ‖∇E‖ before clipping at each update
 */
export function descentPath(w0, b0, lr, steps, clipMode = null, threshold = null, T = CLIFF_T) {
  real('lr', lr, { min: 0, strictMin: true });
  integer('steps', steps);
  if (clipMode !== null && threshold === null) throw new Error(`threshold must be given with clipMode ${describe(clipMode)}; got null`);
  let w = real('w0', w0), b = real('b0', b0);
  const { x, d } = cliffTask(T);
  const points = [], losses = new Float64Array(steps + 1), gradNorms = new Float64Array(steps), clipped = [];
  for (let k = 0; k <= steps; k++) {
    const params = cliffParams(w, b);
    const fp = forward(params, x, d, CLIFF_MODEL);
    points.push([w, b]);
    losses[k] = fp.loss;
    if (k === steps) break;
    const g = backward(params, fp).grads;
    g.W_y.data.fill(0); // only w and b are trained
    g.b_y.fill(0);
    const c = clip(g, clipMode, threshold);
    gradNorms[k] = c.norm;
    clipped.push(c.clipped);
    w -= lr * c.grads.W_s.data[0];
    b -= lr * c.grads.b_h[0];
  }
  const stepLengths = Float64Array.from({ length: steps }, (_, k) => Math.hypot(points[k + 1][0] - points[k][0], points[k + 1][1] - points[k][1]));
  return { points, losses, gradNorms, clipped, stepLengths };
}
