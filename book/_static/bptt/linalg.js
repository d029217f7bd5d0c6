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
 * - singular values: one-sided Jacobi (Hestenes 1958). Rotations orthogonalise the columns until
 *   every pair is orthogonal to working precision (|cᵢ·cⱼ| ≤ ε‖cᵢ‖‖cⱼ‖); the singular values are
 *   then the column norms, accurate to a few ulps relative. Cost ~ 7 sweeps × 2n³ flops.
 * - spectral norm of many matrices (Jacobian products): power iteration on AᵀA (or AAᵀ), warm-started
 *   from the previous matrix's singular vector. It stops when the Rayleigh quotient θ = ‖Av‖² stops
 *   growing (increase ≤ 4ε θ) or when the Aitken estimate of the remaining error, Δ q/(1−q) with
 *   q the ratio of successive increases, is below 1e-15 θ; a slow start (q > 0.99 at stagnation) or
 *   no convergence within 2000 iterations falls back to the Jacobi SVD. So σ = √θ is accurate to
 *   about 1e-15 relative whenever it is returned.
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
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p];
      if (aip === 0) continue;
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
export function singularValues(A) {
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

/** σ_max(A) = ‖A‖₂, the largest singular value (one-sided Jacobi; see the module notes). */
export function sigmaMax(A) {
  return singularValues(A)[0];
}

/**
 * Power iteration for the largest singular value of A (m, n).
 *
 * Iterates on AᵀA (right singular vector v, length n) or, with `left`, on AAᵀ (left singular
 * vector u, length m): whichever side stays put from one matrix to the next, to warm-start.
 * @param {object} A  engine matrix
 * @param {Float64Array|null} start  a start vector (e.g. the previous matrix's); mixed with a fixed
 *   pseudo-random vector so that it is never orthogonal to the singular vector sought
 * @param {{left?: boolean}} options
 * @returns {{sigma: number, vector: Float64Array}}  σ_max(A) and the (unit) singular vector
 */
export function powerIteration(A, start = null, { left = false } = {}) {
  const n = left ? A.rows : A.cols, m = left ? A.cols : A.rows;
  const scale = maxAbs(A.data);
  if (scale === 0 || scale === Infinity) return { sigma: scale, vector: start ?? new Float64Array(n) };
  const B = scaled(A, 1 / scale);
  const forward = left ? matTVec : matVec, back = left ? matVec : matTVec;
  let v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = 0.001 * Math.sin(12.9898 * (i + 1) + 78.233); // fixed, generic direction
  if (start !== null) for (let i = 0; i < n; i++) v[i] += start[i];
  let nv = norm2(v);
  for (let i = 0; i < n; i++) v[i] /= nv;
  const w = new Float64Array(m), z = new Float64Array(n);
  let theta = 0, increase = Infinity;
  for (let iter = 0; iter < 2000; iter++) {
    forward(B, v, w);
    const thetaNew = dot(w, w); // Rayleigh quotient vᵀ BᵀB v: grows monotonically to σ_max(B)²
    const increaseNew = thetaNew - theta;
    const q = increaseNew / increase;
    theta = thetaNew;
    if (increaseNew <= 4 * EPS * theta) {
      if (iter < 3 || q <= 0.99) return { sigma: scale * Math.sqrt(theta), vector: v };
      break; // stagnated while still converging slowly: the estimate may be off, take the SVD
    }
    if (iter >= 3 && q < 1 && increaseNew * q / (1 - q) <= 1e-15 * theta) {
      return { sigma: scale * Math.sqrt(theta), vector: v };
    }
    increase = increaseNew;
    back(B, w, z);
    nv = norm2(z);
    for (let i = 0; i < n; i++) v[i] = z[i] / nv;
  }
  return { sigma: sigmaMax(A), vector: v };
}

/** ‖A‖₂ by power iteration (fast for one matrix when σ_max is well separated; see powerIteration). */
export function spectralNorm(A) {
  return powerIteration(A).sigma;
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
export function eigenvalues(A) {
  const a = squareRows('A', A);
  const n = a.length;
  const re = new Float64Array(n), im = new Float64Array(n);
  const bad = A.data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new Error(`A must be finite; got ${A.data[bad]} at (${Math.floor(bad / n)}, ${bad % n})`);
  toHessenberg(a);
  hessenbergEigenvalues(a, re, im);
  return { re, im };
}

/** ρ(A) = max_i |λ_i(A)|, the spectral radius of a real square matrix. */
export function spectralRadius(A) {
  const { re, im } = eigenvalues(A);
  let rho = 0;
  for (let i = 0; i < re.length; i++) rho = Math.max(rho, Math.hypot(re[i], im[i]));
  return rho;
}
