/**
 * The linear algebra the explorers need, in float64: dense matrices, products, norms,
 * singular values (σ_max), the spectral norm of many related matrices, and eigenvalues of a
 * real square matrix (for the complex-plane plot and ρ).
 *
 * A matrix is `{ rows, cols, data }` with `data` a Float64Array in row-major order:
 * entry (i, j) is `data[i * cols + j]`. Vectors are Float64Arrays. Matrices act on column
 * vectors, as in the course: `matVec(W_s, h)` is W_s h.
 *
 * Algorithms (chosen for accuracy first; each is tested against numpy through rnnlib's fixtures):
 * - all singular values: one-sided Jacobi (Hestenes 1958). Rotations orthogonalise the columns until
 *   every pair is orthogonal to working precision (|cᵢ·cⱼ| ≤ ε‖cᵢ‖‖cⱼ‖); the singular values are
 *   then the column norms, accurate to a few ulps relative. Cost ~ 7 sweeps × 2n³ flops.
 * - spectral norm of many related matrices (Jacobian products): the Lanczos iteration on AᵀA with
 *   full reorthogonalisation, warm-started from the previous matrix's singular vector; it stops when
 *   the largest Ritz value has not moved (≤ 4ε relative) for two steps, or after n steps (exact).
 * - σ_max of one matrix: √λ_max of the Gram matrix AᵀA, reduced to tridiagonal form by Householder
 *   reflections, λ_max found by bisection on the Sturm count (to 2ε relative). No iteration count to
 *   tune and no gap to depend on; ~1 ms at H = 64.
 * - eigenvalues: Householder reduction to upper Hessenberg form, then the Francis double-shift QR
 *   iteration with deflation (the `hqr` algorithm of Wilkinson & Reinsch, as in Numerical Recipes).
 *
 * Overflow: every norm is computed with scaling (no overflow for finite entries); a matrix or
 * vector with a non-finite entry has norm Infinity. Inputs are checked finite, so a non-finite
 * intermediate can only come from overflow (∞ − ∞ gives NaN): it is reported as Infinity.
 * @module linalg
 */
import { describe } from './validate.js';

const EPS = 2.220446049250313e-16;

// --- construction ---------------------------------------------------------------------------

/** A rows×cols matrix of zeros. */
export function zeros(rows, cols) {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

/** The n×n identity. */
export function eye(n) {
  const I = zeros(n, n);
  for (let i = 0; i < n; i++) I.data[i * n + i] = 1;
  return I;
}

/** True if `value` looks like an engine matrix `{ rows, cols, data }`. */
export function isMatrix(value) {
  return value !== null && typeof value === 'object' && value.data instanceof Float64Array
    && Number.isInteger(value.rows) && Number.isInteger(value.cols) && value.data.length === value.rows * value.cols;
}

/**
 * A checked copy of `value` (nested arrays `[[...], ...]` or an engine matrix) as an engine matrix.
 * @param {string} name  the argument's name, for the error message
 * @param {number|null} rows  required number of rows (null: any)
 * @param {number|null} cols  required number of columns (null: any)
 */
export function matrix(name, value, rows = null, cols = null) {
  let M;
  if (isMatrix(value)) {
    M = { rows: value.rows, cols: value.cols, data: Float64Array.from(value.data) };
  } else if (Array.isArray(value) && value.length > 0 && value.every((r) => Array.isArray(r) || ArrayBuffer.isView(r))) {
    const n = value[0].length;
    if (!value.every((r) => r.length === n)) {
      throw new Error(`${name} must be a matrix (rows of equal length); got rows of lengths ${value.map((r) => r.length).join(', ')}`);
    }
    M = zeros(value.length, n);
    value.forEach((r, i) => M.data.set(r, i * n));
  } else {
    throw new Error(`${name} must be a matrix (an array of rows or {rows, cols, data}); got ${describe(value)}`);
  }
  const want = `(${rows ?? M.rows}, ${cols ?? M.cols})`;
  if ((rows !== null && M.rows !== rows) || (cols !== null && M.cols !== cols)) {
    throw new Error(`${name} must have shape ${want}; got shape (${M.rows}, ${M.cols})`);
  }
  for (let i = 0; i < M.data.length; i++) {
    if (!Number.isFinite(M.data[i])) {
      throw new Error(`${name} must be finite; got ${M.data[i]} at (${Math.floor(i / M.cols)}, ${i % M.cols})`);
    }
  }
  return M;
}

/**
 * `value` as an engine matrix without copying it if it is one already (nested arrays are checked
 * and converted): what the public functions below accept.
 */
export function asMatrix(name, value) {
  return isMatrix(value) ? value : matrix(name, value);
}

/** The matrix as nested plain arrays (for JSON, plotting or printing). */
export function toRows(M) {
  const out = [];
  for (let i = 0; i < M.rows; i++) out.push(Array.from(M.data.subarray(i * M.cols, (i + 1) * M.cols)));
  return out;
}

// --- products ---------------------------------------------------------------------------------

/** y = A x. A: (m, n), x: (n,) → y: (m,). */
export function matVec(A, x, out = new Float64Array(A.rows)) {
  const { rows, cols, data } = A;
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const r = i * cols;
    for (let j = 0; j < cols; j++) s += data[r + j] * x[j];
    out[i] = s;
  }
  return out;
}

/** y = Aᵀ x. A: (m, n), x: (m,) → y: (n,). */
export function matTVec(A, x, out = new Float64Array(A.cols)) {
  const { rows, cols, data } = A;
  out.fill(0);
  for (let i = 0; i < rows; i++) {
    const xi = x[i];
    const r = i * cols;
    for (let j = 0; j < cols; j++) out[j] += data[r + j] * xi;
  }
  return out;
}

/** C = A B. A: (m, k), B: (k, n) → C: (m, n). */
export function matMul(A, B, out = zeros(A.rows, B.cols)) {
  if (A.cols !== B.rows) throw new Error(`matMul: A has ${A.cols} columns but B has ${B.rows} rows`);
  const m = A.rows, k = A.cols, n = B.cols;
  const a = A.data, b = B.data, c = out.data;
  c.fill(0);
  // Four rows of C at a time: each entry of B loaded once serves four (about 2× faster in V8).
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const c0 = i * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n, a0 = i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
    for (let p = 0; p < k; p++) {
      const x0 = a[a0 + p], x1 = a[a1 + p], x2 = a[a2 + p], x3 = a[a3 + p];
      const bp = p * n;
      for (let j = 0; j < n; j++) {
        const bj = b[bp + j];
        c[c0 + j] += x0 * bj;
        c[c1 + j] += x1 * bj;
        c[c2 + j] += x2 * bj;
        c[c3 + j] += x3 * bj;
      }
    }
  }
  for (; i < m; i++) {
    const ci = i * n;
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p];
      const bp = p * n;
      for (let j = 0; j < n; j++) c[ci + j] += aip * b[bp + j];
    }
  }
  return out;
}

/** Aᵀ as a new matrix. */
export function transpose(A) {
  const T = zeros(A.cols, A.rows);
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.cols; j++) T.data[j * A.rows + i] = A.data[i * A.cols + j];
  return T;
}

/** s A as a new matrix. */
export function scaled(A, s) {
  const B = zeros(A.rows, A.cols);
  for (let i = 0; i < A.data.length; i++) B.data[i] = s * A.data[i];
  return B;
}

// --- norms ------------------------------------------------------------------------------------

/** max |a_i| over a typed array (Infinity if an entry is not finite). */
export function maxAbs(values) {
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const v = Math.abs(values[i]);
    if (!(v <= m)) m = Number.isNaN(v) ? Infinity : v; // NaN only comes from overflow: report ∞
  }
  return m;
}

/**
 * The Euclidean norm of a vector, or the Frobenius norm of a matrix, computed with scaling
 * (finite entries never overflow). Infinity if an entry is not finite.
 */
export function norm2(v) {
  const values = isMatrix(v) ? v.data : v;
  const m = maxAbs(values);
  if (m === 0 || m === Infinity) return m;
  let s = 0;
  for (let i = 0; i < values.length; i++) {
    const r = values[i] / m;
    s += r * r;
  }
  return m * Math.sqrt(s);
}

/** The dot product Σ a_i b_i. */
export function dot(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

// --- singular values ----------------------------------------------------------------------------

/**
 * The singular values of A (m, n), largest first, shape (min(m, n),), by one-sided Jacobi.
 * Infinity for every value if A has a non-finite entry.
 */
export function singularValues(A, name = 'A') {
  A = asMatrix(name, A);
  const tall = A.rows >= A.cols;
  const m = tall ? A.rows : A.cols, n = tall ? A.cols : A.rows;
  const scale = maxAbs(A.data);
  if (scale === Infinity) return new Float64Array(n).fill(Infinity);
  if (scale === 0) return new Float64Array(n);
  // Columns of A (or of Aᵀ when A is wide), scaled to max |entry| = 1, each contiguous.
  const c = [];
  for (let j = 0; j < n; j++) {
    const col = new Float64Array(m);
    for (let i = 0; i < m; i++) col[i] = (tall ? A.data[i * A.cols + j] : A.data[j * A.cols + i]) / scale;
    c.push(col);
  }
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const cp = c[p], cq = c[q];
        const alpha = dot(cp, cp), beta = dot(cq, cq), gamma = dot(cp, cq);
        if (gamma === 0 || Math.abs(gamma) <= EPS * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        // The rotation that makes columns p and q orthogonal (Golub & Van Loan, Alg. 8.6.1).
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const cs = 1 / Math.sqrt(1 + t * t), sn = cs * t;
        for (let i = 0; i < m; i++) {
          const up = cp[i], uq = cq[i];
          cp[i] = cs * up - sn * uq;
          cq[i] = sn * up + cs * uq;
        }
      }
    }
    if (!rotated) break;
  }
  const s = Float64Array.from(c, (col) => scale * norm2(col));
  return s.sort().reverse();
}

/**
 * λ_max of a symmetric matrix (rows `S`, destroyed): Householder reduction to a tridiagonal matrix
 * (Golub & Van Loan, Alg. 8.3.1), then bisection on the Sturm count to full precision.
 */
function largestSymmetricEigenvalue(S) {
  const n = S.length;
  const d = new Float64Array(n), e = new Float64Array(Math.max(n - 1, 0)), v = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    const x0 = S[k + 1][k];
    let sigma = 0;
    for (let i = k + 2; i < n; i++) sigma += S[i][k] * S[i][k];
    if (sigma === 0) { e[k] = x0; continue; }
    const mu = Math.sqrt(x0 * x0 + sigma);
    const v0 = x0 <= 0 ? x0 - mu : -sigma / (x0 + mu);
    const beta = (2 * v0 * v0) / (sigma + v0 * v0);
    v[k + 1] = 1;
    for (let i = k + 2; i < n; i++) v[i] = S[i][k] / v0;
    e[k] = mu; // the reflection maps S[k+1.., k] to ±mu e_1; only e² matters below
    let pv = 0; // p = β A v on the trailing block, w = p − (β/2)(pᵀv) v, A ← A − v wᵀ − w vᵀ
    for (let i = k + 1; i < n; i++) {
      let s = 0;
      for (let j = k + 1; j < n; j++) s += S[i][j] * v[j];
      p[i] = beta * s;
      pv += p[i] * v[i];
    }
    for (let i = k + 1; i < n; i++) p[i] -= 0.5 * beta * pv * v[i];
    for (let i = k + 1; i < n; i++) for (let j = k + 1; j < n; j++) S[i][j] -= v[i] * p[j] + p[i] * v[j];
  }
  for (let k = 0; k < n; k++) d[k] = S[k][k];
  if (n >= 2) e[n - 2] = S[n - 1][n - 2];
  return largestTridiagonalEigenvalue(d, e, n);
}

/**
 * λ_max of the symmetric tridiagonal matrix with diagonal d[0..n-1] and off-diagonal e[0..n-2], by
 * bisection on the Sturm count (the number of negative pivots of T − xI), to 2ε relative.
 */
function largestTridiagonalEigenvalue(d, e, n) {
  let lo = -Infinity, hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const r = (i > 0 ? Math.abs(e[i - 1]) : 0) + (i < n - 1 ? Math.abs(e[i]) : 0);
    lo = Math.max(lo, d[i] - r); // Gershgorin: λ_max lies in [max(d − r), max(d + r)]
    hi = Math.max(hi, d[i] + r);
  }
  const below = (x) => { // how many eigenvalues are < x
    let count = 0, q = 1;
    for (let i = 0; i < n; i++) {
      q = d[i] - x - (i > 0 ? (e[i - 1] * e[i - 1]) / q : 0);
      if (q === 0) q = -1e-300;
      if (q < 0) count++;
    }
    return count;
  };
  while (hi - lo > 2 * EPS * Math.max(Math.abs(lo), Math.abs(hi))) {
    const mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    if (below(mid) === n) hi = mid;
    else lo = mid;
  }
  return 0.5 * (lo + hi);
}

/**
 * σ_max(A) = ‖A‖₂, the largest singular value: √λ_max of the smaller Gram matrix AᵀA or AAᵀ
 * (tridiagonalisation and bisection; A scaled to max |entry| = 1 first). Accurate to a few ulps
 * relative for σ_max (forming the Gram matrix only costs accuracy in the small singular values).
 */
export function sigmaMax(A, name = 'A') {
  A = asMatrix(name, A);
  const scale = maxAbs(A.data);
  if (scale === 0 || scale === Infinity) return scale;
  const B = scaled(A, 1 / scale);
  const gram = A.rows >= A.cols ? matMul(transpose(B), B) : matMul(B, transpose(B));
  const n = gram.rows;
  const rows = Array.from({ length: n }, (_, i) => gram.data.slice(i * n, (i + 1) * n));
  return scale * Math.sqrt(Math.max(0, largestSymmetricEigenvalue(rows)));
}

/**
 * The largest singular value of A (m, n) by the Lanczos iteration on AᵀA (or, with `left`, on AAᵀ),
 * with full reorthogonalisation, warm-started: for the many related matrices of a Jacobian table.
 *
 * Lanczos builds an orthonormal basis of the Krylov space {v, Bv, B²v, …} (B = AᵀA) and the
 * tridiagonal matrix T_j of B in it; λ_max(T_j) grows monotonically to λ_max(B) = σ_max(A)², much
 * faster than power iteration when σ₁ and σ₂ are close (the Ritz value converges at a rate set by
 * √gap instead of the gap). It stops when λ_max(T_j) has stopped moving (≤ 4ε relative) for two steps,
 * when the Krylov space is invariant, or after n steps, where T_n is B itself up to rounding.
 * @param {object} A  engine matrix
 * @param {Float64Array|null} start  a start vector (e.g. the previous matrix's singular vector); mixed
 *   with a fixed pseudo-random vector so that it is never orthogonal to the singular vector sought
 * @param {{left?: boolean}} options  iterate on AAᵀ (left singular vector, length m)
 * @returns {{sigma: number, vector: Float64Array}}  σ_max(A) and an approximate (unit) singular vector
 */
export function lanczosSigmaMax(A, start = null, { left = false } = {}) {
  A = asMatrix('A', A);
  const n = left ? A.rows : A.cols, m = left ? A.cols : A.rows;
  const scale = maxAbs(A.data);
  if (scale === 0 || scale === Infinity) return { sigma: scale, vector: start ?? new Float64Array(n) };
  const B = scaled(A, 1 / scale);
  const forward = left ? matTVec : matVec, back = left ? matVec : matTVec;
  let q = new Float64Array(n);
  for (let i = 0; i < n; i++) q[i] = 0.001 * Math.sin(12.9898 * (i + 1) + 78.233); // fixed, generic direction
  if (start !== null) for (let i = 0; i < n; i++) q[i] += start[i];
  const nq = norm2(q);
  for (let i = 0; i < n; i++) q[i] /= nq;
  const basis = [], alpha = new Float64Array(n), beta = new Float64Array(n);
  const Av = new Float64Array(m), w = new Float64Array(n);
  let theta = 0, still = 0;
  for (let j = 0; j < n; j++) {
    basis.push(q);
    forward(B, q, Av);
    back(B, Av, w); // w = BᵀB q
    alpha[j] = dot(q, w);
    for (let pass = 0; pass < 2; pass++) { // full reorthogonalisation, twice ("twice is enough")
      for (const b of basis) {
        const c = dot(b, w);
        for (let i = 0; i < n; i++) w[i] -= c * b[i];
      }
    }
    beta[j] = norm2(w);
    const thetaNew = largestTridiagonalEigenvalue(alpha, beta, j + 1);
    still = thetaNew - theta <= 4 * EPS * thetaNew ? still + 1 : 0;
    theta = thetaNew;
    if (still >= 2 || beta[j] <= EPS * theta) break;
    q = Float64Array.from(w, (v) => v / beta[j]);
  }
  // The Ritz vector of θ, for the next warm start: one step of inverse iteration on T − θI.
  const k = basis.length;
  const s = new Float64Array(k).fill(1);
  const dd = Float64Array.from(alpha.subarray(0, k), (a) => a - theta * (1 + 1e-10));
  for (let i = 1; i < k; i++) { // forward elimination of the tridiagonal system (T − θI) y = 1
    const f = beta[i - 1] / (dd[i - 1] === 0 ? 1e-300 : dd[i - 1]);
    dd[i] -= f * beta[i - 1];
    s[i] -= f * s[i - 1];
  }
  s[k - 1] /= dd[k - 1] === 0 ? 1e-300 : dd[k - 1];
  for (let i = k - 2; i >= 0; i--) s[i] = (s[i] - beta[i] * s[i + 1]) / (dd[i] === 0 ? 1e-300 : dd[i]);
  const vector = new Float64Array(n);
  for (let i = 0; i < k; i++) for (let r = 0; r < n; r++) vector[r] += s[i] * basis[i][r];
  const nv = norm2(vector);
  for (let r = 0; r < n; r++) vector[r] = nv > 0 && nv < Infinity ? vector[r] / nv : basis[0][r];
  return { sigma: scale * Math.sqrt(theta), vector };
}

/** ‖A‖₂ by the Lanczos iteration (lanczosSigmaMax); sigmaMax computes the same by bisection. */
export function spectralNorm(A, name = 'A') {
  return lanczosSigmaMax(asMatrix(name, A)).sigma;
}

// --- eigenvalues ------------------------------------------------------------------------------

function squareRows(name, A) {
  if (!isMatrix(A)) throw new Error(`${name} must be a matrix {rows, cols, data}; got ${describe(A)}`);
  if (A.rows !== A.cols) throw new Error(`${name} must be square (H, H); got shape (${A.rows}, ${A.cols})`);
  const n = A.rows;
  const a = [];
  for (let i = 0; i < n; i++) a.push(Float64Array.from(A.data.subarray(i * n, (i + 1) * n)));
  return a;
}

/** Householder reduction of the rows `a` (n×n, modified in place) to upper Hessenberg form. */
function toHessenberg(a) {
  const n = a.length;
  const v = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    // The reflector P = I − 2vvᵀ/vᵀv that zeros a[k+2..n-1][k].
    let scale = 0;
    for (let i = k + 1; i < n; i++) scale = Math.max(scale, Math.abs(a[i][k]));
    if (scale === 0) continue;
    let norm = 0;
    for (let i = k + 1; i < n; i++) {
      v[i] = a[i][k] / scale;
      norm += v[i] * v[i];
    }
    norm = Math.sqrt(norm);
    const alpha = v[k + 1] >= 0 ? -norm : norm;
    v[k + 1] -= alpha;
    let vv = 0;
    for (let i = k + 1; i < n; i++) vv += v[i] * v[i];
    if (vv === 0) continue;
    for (let j = k; j < n; j++) { // a ← P a (rows k+1..n-1)
      let s = 0;
      for (let i = k + 1; i < n; i++) s += v[i] * a[i][j];
      const f = (2 * s) / vv;
      for (let i = k + 1; i < n; i++) a[i][j] -= f * v[i];
    }
    for (let i = 0; i < n; i++) { // a ← a P (columns k+1..n-1)
      let s = 0;
      for (let j = k + 1; j < n; j++) s += a[i][j] * v[j];
      const f = (2 * s) / vv;
      for (let j = k + 1; j < n; j++) a[i][j] -= f * v[j];
    }
    for (let i = k + 2; i < n; i++) a[i][k] = 0;
  }
}

/**
 * Eigenvalues of an upper Hessenberg matrix (rows `a`, destroyed) by the Francis double-shift QR
 * iteration with deflation (Wilkinson & Reinsch's hqr; Press et al., Numerical Recipes, §11.6).
 */
function hessenbergEigenvalues(a, re, im) {
  const n = a.length;
  let anorm = 0;
  for (let i = 0; i < n; i++) for (let j = Math.max(i - 1, 0); j < n; j++) anorm += Math.abs(a[i][j]);
  let nn = n - 1, t = 0;
  let p = 0, q = 0, r = 0, s = 0, w = 0, x = 0, y = 0, z = 0;
  while (nn >= 0) {
    let its = 0, l;
    do {
      for (l = nn; l > 0; l--) { // look for a small subdiagonal entry: the matrix splits there
        s = Math.abs(a[l - 1][l - 1]) + Math.abs(a[l][l]);
        if (s === 0) s = anorm;
        if (Math.abs(a[l][l - 1]) <= EPS * s) {
          a[l][l - 1] = 0;
          break;
        }
      }
      x = a[nn][nn];
      if (l === nn) { // one real root
        re[nn] = x + t;
        im[nn--] = 0;
      } else {
        y = a[nn - 1][nn - 1];
        w = a[nn][nn - 1] * a[nn - 1][nn];
        if (l === nn - 1) { // a 2×2 block: two real roots or a complex pair
          p = 0.5 * (y - x);
          q = p * p + w;
          z = Math.sqrt(Math.abs(q));
          x += t;
          if (q >= 0) {
            z = p + (p >= 0 ? z : -z);
            re[nn - 1] = re[nn] = x + z;
            if (z !== 0) re[nn] = x - w / z;
            im[nn - 1] = im[nn] = 0;
          } else {
            re[nn - 1] = re[nn] = x + p;
            im[nn - 1] = z;
            im[nn] = -z;
          }
          nn -= 2;
        } else {
          if (its === 60) throw new Error('eigenvalues: the QR iteration did not converge in 60 iterations');
          if (its === 10 || its === 20) { // exceptional shift
            t += x;
            for (let i = 0; i <= nn; i++) a[i][i] -= x;
            s = Math.abs(a[nn][nn - 1]) + Math.abs(a[nn - 1][nn - 2]);
            y = x = 0.75 * s;
            w = -0.4375 * s * s;
          }
          ++its;
          let m;
          for (m = nn - 2; m >= l; m--) { // where the double-shift bulge can start
            z = a[m][m];
            r = x - z;
            s = y - z;
            p = (r * s - w) / a[m + 1][m] + a[m][m + 1];
            q = a[m + 1][m + 1] - z - r - s;
            r = a[m + 2][m + 1];
            s = Math.abs(p) + Math.abs(q) + Math.abs(r);
            p /= s;
            q /= s;
            r /= s;
            if (m === l) break;
            const u = Math.abs(a[m][m - 1]) * (Math.abs(q) + Math.abs(r));
            const v = Math.abs(p) * (Math.abs(a[m - 1][m - 1]) + Math.abs(z) + Math.abs(a[m + 1][m + 1]));
            if (u <= EPS * v) break;
          }
          for (let i = m; i < nn - 1; i++) {
            a[i + 2][i] = 0;
            if (i !== m) a[i + 2][i - 1] = 0;
          }
          for (let k = m; k < nn; k++) { // chase the bulge down with 3×3 Householder reflections
            if (k !== m) {
              p = a[k][k - 1];
              q = a[k + 1][k - 1];
              r = 0;
              if (k + 1 !== nn) r = a[k + 2][k - 1];
              if ((x = Math.abs(p) + Math.abs(q) + Math.abs(r)) !== 0) {
                p /= x;
                q /= x;
                r /= x;
              }
            }
            s = Math.sqrt(p * p + q * q + r * r);
            if (p < 0) s = -s;
            if (s !== 0) {
              if (k === m) {
                if (l !== m) a[k][k - 1] = -a[k][k - 1];
              } else {
                a[k][k - 1] = -s * x;
              }
              p += s;
              x = p / s;
              y = q / s;
              z = r / s;
              q /= p;
              r /= p;
              for (let j = k; j <= nn; j++) {
                p = a[k][j] + q * a[k + 1][j];
                if (k + 1 !== nn) {
                  p += r * a[k + 2][j];
                  a[k + 2][j] -= p * z;
                }
                a[k + 1][j] -= p * y;
                a[k][j] -= p * x;
              }
              const mmin = nn < k + 3 ? nn : k + 3;
              for (let i = l; i <= mmin; i++) {
                p = x * a[i][k] + y * a[i][k + 1];
                if (k + 1 !== nn) {
                  p += z * a[i][k + 2];
                  a[i][k + 2] -= p * r;
                }
                a[i][k + 1] -= p * q;
                a[i][k] -= p;
              }
            }
          }
        }
      }
    } while (l + 1 < nn);
  }
}

/**
 * The eigenvalues λ = re + i·im of a real square matrix A (H, H), in no particular order;
 * complex eigenvalues come in conjugate pairs (im > 0 first).
 * @returns {{re: Float64Array, im: Float64Array}}
 */
export function eigenvalues(A, name = 'A') {
  A = asMatrix(name, A);
  const a = squareRows(name, A);
  const n = a.length;
  const re = new Float64Array(n), im = new Float64Array(n);
  const bad = A.data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new Error(`A must be finite; got ${A.data[bad]} at (${Math.floor(bad / n)}, ${bad % n})`);
  toHessenberg(a);
  hessenbergEigenvalues(a, re, im);
  return { re, im };
}

/** ρ(A) = max_i |λ_i(A)|, the spectral radius of a real square matrix. */
export function spectralRadius(A, name = 'A') {
  const { re, im } = eigenvalues(A, name);
  let rho = 0;
  for (let i = 0; i < re.length; i++) rho = Math.max(rho, Math.hypot(re[i], im[i]));
  return rho;
}
