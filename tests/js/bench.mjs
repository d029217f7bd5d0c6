// How long the engine takes to recompute the spectral-radius explorer at T = 100, H = 64 (N = 4, D = 1,
// one loss at step T, as rnnlib's SpectralModel), per quantity and for one whole slider move.
// A report, not a timed assertion:
//
//   node tests/js/bench.mjs [--repeats 15]
//
// The weights come from a small seeded generator here (the engine does not reproduce numpy's RNG;
// the fixtures test correctness, this script only timing). The site's target is well under 50 ms
// from input event to redraw.
import * as E from '../../book/_static/bptt/engine.js';

const repeats = Number(process.argv[process.argv.indexOf('--repeats') + 1]) || 15;
const H = 64, T = 100, N = 4, D = 1;

function gaussian(seed) { // mulberry32 + Box–Muller: reproducible standard normals
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

const randn = gaussian(0);
const rows = (r, c, s) => Array.from({ length: r }, () => Array.from({ length: c }, () => s * randn()));
const G = E.matrix('G', rows(H, H, 1 / Math.sqrt(H)));
const rhoG = E.spectralRadius(G); // once, when the explorer loads
const base = { W_x: rows(H, D, Math.sqrt(6 / (H + D))), W_y: rows(1, H, Math.sqrt(6 / (H + 1))), b_h: new Array(H).fill(0), b_y: [0] };
const x = Array.from({ length: N }, () => rows(T, D, 1));
const d = rows(N, 1, 1);

function median(fn) {
  fn(); // warm-up: the JIT compiles the hot loops
  const times = [];
  let out;
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    out = fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], max: times[times.length - 1], out };
}

const scale = 1.05;
const W_s = E.scaled(G, scale / rhoG);
const params = E.rnnParams({ ...base, W_s });
const model = { activation: 'tanh', targets: 'last' };
const fp = E.forward(params, x, d, model);

const parts = {
  'forward pass': () => E.forward(params, x, d, model),
  'backward pass (all δ_t and gradients)': () => E.backward(params, fp),
  'σ_max(W_s) (Gram matrix, tridiagonal, bisection)': () => E.sigmaMax(W_s),
  'all singular values of W_s (one-sided Jacobi)': () => E.singularValues(W_s),
  'σ_max(W_s) (Lanczos)': () => E.spectralNorm(W_s),
  'eigenvalues of W_s (Hessenberg + QR)': () => E.eigenvalues(W_s),
  '‖∂h_T/∂h_k‖ for every k (one row, T products)': () => E.jacobianNormsFrom(params, fp, T),
};
const results = Object.entries(parts).map(([name, fn]) => [name, median(fn)]);

function sliderMove(withJacobians) { // what a move of the scale slider recomputes, from scratch
  const Ws = E.scaled(G, scale / rhoG);
  const p = E.rnnParams({ ...base, W_s: Ws });
  const f = E.forward(p, x, d, model);
  const norms = E.deltaNorms(E.backward(p, f).delta);
  const ev = E.eigenvalues(Ws);
  const bound = E.pascanuBound(Ws, 'tanh', Array.from({ length: T + 1 }, (_, k) => T - k));
  const row = withJacobians ? E.jacobianNormsFrom(p, f, T) : null;
  return { norms, ev, bound, row, rho: E.spectralRadius(Ws), sigma: E.sigmaMax(Ws) };
}
results.push(['slider move of the spectral explorer: forward, δ, ‖δ_k‖, ρ, σ_max, η^(T−k), eigenvalues', median(() => sliderMove(false))]);
results.push(['the same and ‖∂h_T/∂h_k‖ for every k', median(() => sliderMove(true))]);

// The other explorers, for comparison: a truncation-explorer move (k2 = 25, k1 = k2) and a
// clipping-explorer move (a 40-step descent path on the cliff), and the cliff surface, drawn once.
results.push(['truncation explorer move: full BPTT, truncated BPTT (k1 = k2 = 25), gap, ‖C_k‖', median(() => {
  const f = E.forward(params, x, d, model);
  const full = E.backward(params, f);
  const trunc = E.truncatedBptt(params, x, d, 25, 25, model).grads;
  return [E.relativeGradientError(trunc, full.grads), E.cosine(trunc, full.grads), E.stepContributionNorms(f, full)];
})]);
results.push(['clipping explorer move: 40 steps of descent on the cliff, clipped by norm', median(() => E.descentPath(4.5, -2.32, 0.05, 40, 'norm', 2))]);
const grid = Array.from({ length: 160 }, (_, i) => i / 159);
results.push(['cliff surface, 160 × 160 grid (once per page)', median(() => E.cliffSurface(grid.map((u) => 4.1 + 0.8 * u), grid.map((u) => -2.7 + 0.8 * u)))]);

console.log(`engine timings, T = ${T}, H = ${H}, N = ${N}; median (max) of ${repeats} runs, node ${process.version}`);
for (const [name, r] of results) console.log(`  ${r.ms.toFixed(2).padStart(8)} ms (${r.max.toFixed(2)})  ${name}`);

// The whole heat map ‖∂h_t/∂h_k‖ over (t, k) and its maxima by distance: T²/2 products of 64×64 matrices.
// Seconds, not milliseconds: timed once (after the JIT has seen the loops above), to keep the run light.
const t0 = performance.now();
E.normsByDistance(E.jacobianNorms(params, fp, 0));
const heat = { ms: performance.now() - t0 };
console.log(`  ${heat.ms.toFixed(0).padStart(8)} ms        full heat map ‖∂h_t/∂h_k‖ (T+1)² and norms by distance (${T * (T + 1) / 2} products)`);
