/**
 * Hidden-layer activations f, their derivatives f′ and the bounds γ = sup |f′| (chapters 1 and 6),
 * exactly as rnnlib.activations defines them.
 *
 * The derivative is computed from the pre-activation a or, where cheaper, from the activation
 * h = f(a) the forward pass already stored: tanh′ = 1 − h², σ′ = h(1 − h), relu′ = [a > 0],
 * identity′ = 1. γ enters the vanishing condition of Pascanu et al. (2013): σ_max(W_s) < 1/γ.
 * @module activations
 */
import { choice } from './validate.js';

/**
 * σ(a) = 1/(1 + e^(−a)) without overflow: with e = e^(−|a|) ≤ 1, σ(a) = 1/(1 + e) for a ≥ 0
 * and e/(1 + e) for a < 0 (the formula of rnnlib.activations, accurate in both tails).
 */
export function sigmoid(a) {
  const e = Math.exp(-Math.abs(a));
  return (a >= 0 ? 1 : e) / (1 + e);
}

/**
 * @typedef {object} Activation
 * @property {string} name
 * @property {(a: number) => number} f       h = f(a)
 * @property {(a: number, h: number) => number} df  f′(a), given a and h = f(a)
 * @property {number} gamma                   sup |f′|
 */

/** @type {Object<string, Activation>} */
export const ACTIVATIONS = Object.freeze({
  tanh: Object.freeze({ name: 'tanh', f: Math.tanh, df: (a, h) => 1 - h * h, gamma: 1 }),
  sigmoid: Object.freeze({ name: 'sigmoid', f: sigmoid, df: (a, h) => h * (1 - h), gamma: 0.25 }),
  relu: Object.freeze({ name: 'relu', f: (a) => Math.max(a, 0), df: (a, h) => (a > 0 ? 1 : 0), gamma: 1 }),
  identity: Object.freeze({ name: 'identity', f: (a) => a, df: () => 1, gamma: 1 }),
});

/** The activation called `name` ("tanh", "sigmoid", "relu", "identity"), or an Activation itself. */
export function getActivation(name) {
  if (name !== null && typeof name === 'object' && Object.values(ACTIVATIONS).includes(name)) return name;
  return ACTIVATIONS[choice('activation', name, Object.keys(ACTIVATIONS))];
}
