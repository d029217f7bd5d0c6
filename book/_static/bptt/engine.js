/**
 * The course's JavaScript engine: the vanilla RNN of "Backpropagation Through Time" in float64,
 * computed in the reader's browser and tested against rnnlib (tests/js/).
 *
 * One ES module to import, in the browser (`<script type="module">`) or in Node:
 *
 *     import * as bptt from './_static/bptt/engine.js';
 *     const params = bptt.rnnParams({ W_x, W_s, W_y, b_h, b_y });
 *     const fp = bptt.forward(params, x, d, { activation: 'tanh', targets: 'last' });
 *     const { delta, grads } = bptt.backward(params, fp);
 *
 * Each idea lives in its own module, named like rnnlib's: linalg (matrices, σ_max, eigenvalues),
 * activations, rnn (forward pass and full BPTT), diagnostics (Jacobian norms, η and the Pascanu
 * bound), truncation, contributions, clipping, cliff. No build step, no dependency.
 * @module engine
 */
export * from './linalg.js';
export * from './activations.js';
export * from './rnn.js';
export * from './diagnostics.js';
export * from './contributions.js';
export * from './truncation.js';
export * from './clipping.js';
export * from './cliff.js';
export * as validate from './validate.js';
