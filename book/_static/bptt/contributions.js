/**
 * The gradient of W_s as a sum of per-step contributions (chapters 4 and 5), as the truncation
 * explorer draws it: because W_s is shared, ∂L/∂W_s = Σ_k C_k with
 *
 *     C_k = Σ_n (∂L/∂a_k) h_{k-1}ᵀ = Σ_n (f′(a_k) ⊙ δ_k) h_{k-1}ᵀ,
 *
 * the contribution of the copy of W_s used at step k (rnnlib.contributions(...).by_step["W_s"]).
 * Truncated BPTT keeps only the terms of the last k2 steps before each loss.
 * @module contributions
 */
import { norm2, zeros } from './linalg.js';
import { describe } from './validate.js';

/** C_k for k = 1..T from the forward pass and backward(...) result: T matrices (H, H), `C[k-1]` is C_k. */
export function stepContributions(fp, result) {
  if (!result || !Array.isArray(result.da)) throw new Error(`result must be what backward() returned; got ${describe(result)}`);
  const H = fp.h[0][0].length;
  return Array.from({ length: fp.T }, (_, i) => {
    const C = zeros(H, H);
    for (let n = 0; n < fp.N; n++) {
      const da = result.da[n][i], hPrev = fp.h[n][i];
      for (let p = 0; p < H; p++) for (let q = 0; q < H; q++) C.data[p * H + q] += da[p] * hPrev[q];
    }
    return C;
  });
}

/** ‖C_k‖_F for k = 1..T, Float64Array(T): the curve of the truncation explorer. */
export function stepContributionNorms(fp, result) {
  return Float64Array.from(stepContributions(fp, result), norm2);
}
