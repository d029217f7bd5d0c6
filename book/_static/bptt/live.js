/**
 * The website's live explorers: each chapter's explorer computed in the reader's browser by the
 * course's engine (engine.js, tested against rnnlib by tests/js/), drawn on a canvas.
 *
 * The page holds the explorer's static twin (rnnlib.course.widgets.Explorer.static_html): frames
 * precomputed by rnnlib, which stay the version without JavaScript (or without ES modules, as
 * over file://) and the print version. Its `<script class="bptt-live-data">` carries what this
 * module needs: the sizes, the controls' ranges, and the seeded arrays rnnlib drew for each offered
 * seed (float64, base64), so the browser's network is rnnlib's, bit for bit. When this module runs,
 * it adds the live explorer to the figure and hides the twin's frames on screen. Controls and
 * drawing are explorer_draw.js, shared with the JupyterLab front end (rnnlib.course.widgets).
 *
 * Every move of a control recomputes and redraws synchronously; the figure's `data-renders`
 * counts redraws and `data-render-ms` gives the last one's duration. The readout element carries
 * the exact numbers in `data-values` (JSON), which the browser test compares with rnnlib's.
 * The settings are kept in the page's URL (`?<kind>=name:value;...`) so a configuration can be shared.
 * @module live
 */
import * as E from './engine.js';
import { decodeFloat64, linspace, mount } from './explorer_draw.js';

export { decodeFloat64, linspace };

// --- data ------------------------------------------------------------------------------------------
/** One seed's network as rnnlib drew it (rnnlib.course.explorers.model.ExplorerModel.browser_arrays). */
function seededNetwork(spec, arrays) {
  const { H, T, N, D } = spec;
  const flat = decodeFloat64(arrays.x);
  const x = Array.from({ length: N }, (_, n) => Array.from({ length: T }, (_, t) => flat.slice((n * T + t) * D, (n * T + t + 1) * D)));
  const dFlat = decodeFloat64(arrays.d);
  return {
    G: decodeFloat64(arrays.G), rhoG: arrays.rho_G, sigmaG: arrays.sigma_G,
    W_x: { rows: H, cols: D, data: decodeFloat64(arrays.W_x) },
    W_y: { rows: 1, cols: H, data: decodeFloat64(arrays.W_y) },
    x, d: Array.from({ length: N }, (_, n) => dFlat.slice(n, n + 1)),
    eig: null,
  };
}

/** The network with W_s = G · factor and zero biases (ExplorerModel.params). */
function paramsFor(spec, net, factor) {
  const W_s = { rows: spec.H, cols: spec.H, data: Float64Array.from(net.G, (g) => g * factor) };
  return E.rnnParams({ W_x: net.W_x, W_s, W_y: net.W_y, b_h: new Float64Array(spec.H), b_y: new Float64Array(1) });
}

/** The first T steps of every sequence, and the targets (one loss, at the last step). */
function firstSteps(net, T) {
  return net.x.map((seq) => seq.slice(0, T));
}

// --- the computations (each mirrors its rnnlib explorer and returns the frame explorer_draw.js draws)

/** The spectral-radius explorer (rnnlib.course.explorers.spectral.SpectralModel.compute). */
export function computeSpectral(spec, net, { scale, mode, activation, T }) {
  const byRho = mode === spec.modes[0];
  const factor = scale / (byRho ? net.rhoG : net.sigmaG);
  const params = paramsFor(spec, net, factor);
  const fp = E.forward(params, firstSteps(net, T), net.d, { activation, targets: 'last' });
  const norms = E.deltaNorms(E.backward(params, fp).delta);
  const gamma = E.getActivation(activation).gamma;
  const rho = net.rhoG * factor, sigma = net.sigmaG * factor, eta = gamma * sigma;
  const bound = Float64Array.from(norms, (_, k) => norms[T] * eta ** (T - k));
  if (!net.eig) net.eig = E.eigenvalues({ rows: spec.H, cols: spec.H, data: net.G }, 'G'); // once per seed
  const eigRe = Float64Array.from(net.eig.re, (v) => v * factor), eigIm = Float64Array.from(net.eig.im, (v) => v * factor);
  return { norms, bound, rho, sigma, gamma, eta, ratio: norms[1] / norms[T], eigRe, eigIm };
}

/** The truncation explorer (rnnlib.course.explorers.truncation.TruncationModel.compute). */
export function computeTruncation(spec, net, { rho, k2, activation, T }) {
  const params = paramsFor(spec, net, rho / net.rhoG);
  const x = firstSteps(net, T);
  const model = { activation, targets: 'last' };
  const fp = E.forward(params, x, net.d, model);
  const full = E.backward(params, fp);
  const k = Math.min(k2, T);
  const trunc = E.truncatedBptt(params, x, net.d, k, k, model).grads;
  return {
    contributions: E.stepContributionNorms(fp, full),
    window: Math.max(1, T - k + 1),
    error: E.relativeGradientError(trunc, full.grads),
    cosine: E.cosine(trunc, full.grads),
    sigma: (rho / net.rhoG) * net.sigmaG,
  };
}

/** The clipping explorer (rnnlib.course.explorers.clipping): one descent path for a mode and θ. */
export function computeClipping(spec, { mode, threshold }) {
  const [w0, b0] = spec.start;
  return E.descentPath(w0, b0, spec.lr, spec.steps, mode === 'none' ? null : mode, mode === 'none' ? null : threshold);
}

/** The unrolling stepper (rnnlib.course.explorers.unrolling): the states of one forward pass with the
 * shipped weights and inputs, once per activation; a move of t only picks h_0..h_t. */
export function unrollingStates(spec, activation) {
  const { H, D, T, O } = spec, a = spec.arrays;
  const params = E.rnnParams({
    W_x: { rows: H, cols: D, data: decodeFloat64(a.W_x) }, W_s: { rows: H, cols: H, data: decodeFloat64(a.W_s) },
    W_y: { rows: O, cols: H, data: decodeFloat64(a.W_y) }, b_h: decodeFloat64(a.b_h), b_y: decodeFloat64(a.b_y),
  });
  const flat = decodeFloat64(a.x);
  const x = [Array.from({ length: T }, (_, t) => flat.slice(t * D, (t + 1) * D))];
  const h = E.forward(params, x, null, { activation, h0: [decodeFloat64(a.h0)] }).h[0];
  const states = new Float64Array((T + 1) * H);
  let largest = 0;
  h.forEach((v, t) => { states.set(v, t * H); for (const e of v) largest = Math.max(largest, Math.abs(e)); });
  return { states, limit: 1.05 * Math.max(1e-12, largest) };
}

/** Frame computers: settings (as the controls give them) → the frame to draw. */
function framer(spec) {
  const nets = {};
  const net = (seed) => (nets[seed] ??= seededNetwork(spec, spec.seeds[seed]));
  if (spec.kind === 'spectral') return (s) => computeSpectral(spec, net(s.seed), s);
  if (spec.kind === 'truncation') return (s) => computeTruncation(spec, net(s.seed), s);
  if (spec.kind === 'unrolling') {
    const runs = {};
    return (s) => {
      const run = (runs[s.activation] ??= unrollingStates(spec, s.activation));
      return { states: run.states.subarray(0, (s.t + 1) * spec.H), limit: run.limit };
    };
  }
  const [[wLo, wHi], [bLo, bHi]] = spec.window;
  const ws = linspace(wLo, wHi, spec.resolution[0]), bs = linspace(bLo, bHi, spec.resolution[1]);
  const surface = { ws, bs, E: Float64Array.from(E.cliffSurface(ws, bs).flatMap((row) => Array.from(row))) }; // once
  const reference = computeClipping(spec, { mode: 'none', threshold: null }).points;
  let first = true;
  return (s) => {
    const path = computeClipping(spec, { mode: s.mode, threshold: 10 ** s.theta });
    const frame = { ...path, ...(first ? { surface, reference } : {}) };
    first = false;
    return frame;
  };
}

// --- wiring ----------------------------------------------------------------------------------------
function readUrl(kind) {
  const raw = new URLSearchParams(window.location.search).get(kind);
  if (!raw) return {};
  return Object.fromEntries(raw.split(';').map((kv) => kv.split(':')).filter((kv) => kv.length === 2));
}

function writeUrl(kind, settings) {
  const url = new URL(window.location.href);
  url.searchParams.set(kind, Object.entries(settings).map(([k, v]) => `${k}:${v}`).join(';'));
  try { window.history.replaceState(null, '', url); } catch { /* file:// in some browsers: keep going */ }
}

/** Turn one static twin into a live explorer. */
export function liven(figure) {
  const spec = JSON.parse(figure.querySelector('script.bptt-live-data').textContent);
  const frameFor = framer(spec);
  let renders = 0;
  const redraw = (s) => {
    const t0 = performance.now();
    live.render(frameFor(s), s);
    figure.dataset.renderMs = String(performance.now() - t0);
    figure.dataset.renders = String(++renders);
  };
  const live = mount(figure, spec, (s, how) => {
    redraw(s);
    if (how === 'change') writeUrl(spec.kind, s);
  });
  live.ui.root.setAttribute('aria-label', 'Live explorer, computed in your browser');
  const saved = readUrl(spec.kind);
  for (const [name, ctl] of Object.entries(live.controls)) if (name in saved) ctl.set(saved[name]);
  redraw(live.settings());
  figure.classList.add('bptt-live-on');
  const note = figure.querySelector('figcaption em');
  if (note) note.textContent = '(Computed live in your browser by the course\'s JavaScript engine, which the tests check against rnnlib; without JavaScript this figure shows frames precomputed by rnnlib.)';
  return live;
}

function livenAll() {
  for (const figure of document.querySelectorAll('figure.bptt-twin[data-live]')) {
    try { liven(figure); } catch (e) { console.warn('live explorer unavailable, the static twin stays:', e); }
  }
}

if (typeof document !== 'undefined') {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', livenAll); else livenAll();
}
