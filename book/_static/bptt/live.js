/**
 * The website's live explorers: each chapter's explorer computed in the reader's browser by the
 * course's engine (engine.js, tested against rnnlib by tests/js/), drawn on a canvas.
 *
 * The page holds the explorer's static twin (rnnlib.course.widgets.Explorer.static_html): frames
 * precomputed by rnnlib, which stay the version without JavaScript (or without ES modules, as
 * over file://) and the print version. Its `<script class="bptt-live-data">` carries what this
 * module needs: the sizes, the controls' ranges, and the seeded arrays rnnlib drew for each offered
 * seed (float64, base64), so the browser's network is rnnlib's, bit for bit. When this module runs,
 * it adds the live explorer to the figure and hides the twin's frames on screen.
 *
 * Every move of a control recomputes and redraws synchronously; the figure's `data-renders`
 * counts redraws and `data-render-ms` gives the last one's duration. The readout element carries
 * the exact numbers in `data-values` (JSON), which the browser test compares with rnnlib's.
 * The settings are kept in the page's URL (`?<kind>=name:value;...`) so a configuration can be shared.
 * @module live
 */
import * as E from './engine.js';

const OKABE_ITO = { blue: '#0072B2', vermillion: '#D55E00', orange: '#E69F00', sky: '#56B4E9', green: '#009E73', black: '#000000', purple: '#CC79A7' };
const SUPERSCRIPT = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };

// --- data ------------------------------------------------------------------------------------------

/** The Float64Array of a base64 string of little-endian float64 bytes (rnnlib.course.widgets.float64_base64). */
export function decodeFloat64(text) {
  const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  const view = new DataView(bytes.buffer);
  return Float64Array.from({ length: bytes.length / 8 }, (_, i) => view.getFloat64(8 * i, true));
}

/** numpy.linspace(lo, hi, n). */
export function linspace(lo, hi, n) {
  const step = (hi - lo) / (n - 1);
  return Float64Array.from({ length: n }, (_, i) => (i === n - 1 ? hi : lo + i * step));
}

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

// --- the computations (each mirrors its rnnlib explorer) --------------------------------------------

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
  return { norms, bound, rho, sigma, gamma, eta, factor, T, ratio: norms[1] / norms[T], eig: net.eig };
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
    T, k2: k,
  };
}

/** The clipping explorer (rnnlib.course.explorers.clipping): one descent path for a mode and θ. */
export function computeClipping(spec, { mode, threshold }) {
  const [w0, b0] = spec.start;
  return E.descentPath(w0, b0, spec.lr, spec.steps, mode === 'none' ? null : mode, mode === 'none' ? null : threshold);
}

// --- drawing ---------------------------------------------------------------------------------------

function pow10(n) {
  return '10' + String(n).split('').map((c) => SUPERSCRIPT[c] ?? c).join('');
}

function fmt(v, digits = 3) {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4)) return v.toExponential(digits - 1).replace('e+', 'e');
  return v.toPrecision(digits).replace(/\.?0+$/, (m) => (m.includes('.') ? '' : m));
}

function setupCanvas(canvas, width, height) {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = '100%';
  canvas.style.maxWidth = `${width}px`;
  canvas.style.aspectRatio = `${width} / ${height}`;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return ctx;
}

/** A line chart in box {x, y, w, h}: series [{values, colour, dash, label}] against k = k0.., y on a log scale. */
function logChart(ctx, box, series, { k0 = 0, title = '', xLabel = '', shade = null }) {
  const all = series.flatMap((s) => Array.from(s.values).filter((v) => v > 0 && Number.isFinite(v)));
  const measured = Array.from(series[0].values).filter((v) => v > 0 && Number.isFinite(v));
  let lo = Math.floor(Math.log10(Math.max(Math.min(...measured) / 10, 1e-300)));
  let hi = Math.ceil(Math.log10(Math.min(Math.max(...measured) * 1e3, Math.max(...all))));
  if (!(hi > lo)) hi = lo + 1;
  const n = series[0].values.length, kMax = k0 + n - 1;
  const X = (k) => box.x + ((k - k0) / Math.max(1, kMax - k0)) * box.w;
  const Y = (v) => box.y + box.h - ((Math.log10(v) - lo) / (hi - lo)) * box.h;
  ctx.save();
  ctx.fillStyle = '#fff';
  ctx.fillRect(box.x, box.y, box.w, box.h);
  if (shade) {
    ctx.fillStyle = 'rgba(86, 180, 233, 0.25)';
    ctx.fillRect(X(shade[0]) - 2, box.y, X(shade[1]) - X(shade[0]) + 4, box.h);
  }
  ctx.strokeStyle = '#767676';
  ctx.lineWidth = 1;
  ctx.strokeRect(box.x, box.y, box.w, box.h);
  ctx.fillStyle = '#222';
  ctx.font = '12px system-ui, sans-serif';
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  const every = Math.max(1, Math.ceil((hi - lo) / 6));
  for (let e = lo; e <= hi; e += every) {
    ctx.fillText(pow10(e), box.x - 4, Y(10 ** e));
    ctx.strokeStyle = '#e5e5e5';
    ctx.beginPath(); ctx.moveTo(box.x, Y(10 ** e)); ctx.lineTo(box.x + box.w, Y(10 ** e)); ctx.stroke();
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const k of [k0, Math.round((k0 + kMax) / 2), kMax]) ctx.fillText(String(k), X(k), box.y + box.h + 4);
  ctx.fillText(xLabel, box.x + box.w / 2, box.y + box.h + 18);
  ctx.font = '13px system-ui, sans-serif';
  ctx.textBaseline = 'bottom';
  ctx.fillText(title, box.x + box.w / 2, box.y - 4);
  ctx.beginPath(); ctx.rect(box.x, box.y, box.w, box.h); ctx.clip();
  for (const s of series) {
    ctx.strokeStyle = s.colour;
    ctx.lineWidth = 2;
    ctx.setLineDash(s.dash ?? []);
    ctx.beginPath();
    let pen = false;
    for (let i = 0; i < n; i++) {
      const v = s.values[i];
      if (!(v > 0) || !Number.isFinite(v)) { pen = false; continue; }
      const px = X(k0 + i), py = Math.max(box.y - 1e4, Math.min(box.y + box.h + 1e4, Y(v)));
      if (pen) ctx.lineTo(px, py); else ctx.moveTo(px, py);
      pen = true;
    }
    ctx.stroke();
  }
  ctx.restore();
  legend(ctx, box.x + 8, box.y + 8, series);
}

function legend(ctx, x, y, series, { dark = false } = {}) {
  ctx.save();
  ctx.font = '12px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  const width = Math.max(...series.map((s) => ctx.measureText(s.label).width)) + 36;
  ctx.fillStyle = dark ? 'rgba(34,34,34,0.85)' : 'rgba(255,255,255,0.9)';
  ctx.fillRect(x, y, width, 18 * series.length + 4);
  series.forEach((s, i) => {
    const yy = y + 11 + 18 * i;
    ctx.strokeStyle = s.colour; ctx.lineWidth = 2; ctx.setLineDash(s.dash ?? []);
    ctx.beginPath(); ctx.moveTo(x + 4, yy); ctx.lineTo(x + 26, yy); ctx.stroke();
    ctx.fillStyle = dark ? '#fff' : '#222';
    ctx.fillText(s.label, x + 30, yy);
  });
  ctx.restore();
}

function eigenPlane(ctx, box, eig, factor, rho) {
  const limit = 1.1 * Math.max(1, rho);
  const cx = box.x + box.w / 2, cy = box.y + box.h / 2, r = Math.min(box.w, box.h) / 2;
  const P = (re, im) => [cx + (re / limit) * r, cy - (im / limit) * r];
  ctx.save();
  ctx.fillStyle = '#fff';
  ctx.fillRect(cx - r, cy - r, 2 * r, 2 * r);
  ctx.strokeStyle = '#767676'; ctx.lineWidth = 1;
  ctx.strokeRect(cx - r, cy - r, 2 * r, 2 * r);
  ctx.strokeStyle = '#bbb';
  ctx.beginPath(); ctx.moveTo(cx - r, cy); ctx.lineTo(cx + r, cy); ctx.moveTo(cx, cy - r); ctx.lineTo(cx, cy + r); ctx.stroke();
  ctx.strokeStyle = OKABE_ITO.black; ctx.setLineDash([4, 3]);
  ctx.beginPath(); ctx.arc(cx, cy, r / limit, 0, 2 * Math.PI); ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillStyle = OKABE_ITO.vermillion;
  for (let i = 0; i < eig.re.length; i++) {
    const [px, py] = P(eig.re[i] * factor, eig.im[i] * factor);
    ctx.beginPath(); ctx.arc(px, py, 2.6, 0, 2 * Math.PI); ctx.fill();
  }
  ctx.fillStyle = '#222'; ctx.font = '12px system-ui, sans-serif'; ctx.textAlign = 'center'; ctx.textBaseline = 'top';
  ctx.fillText('Re λ', cx, cy + r + 4);
  ctx.fillText(`eigenvalues of W_s; dashed: |λ| = 1`, cx, box.y + box.h + 18);
  ctx.restore();
}

// --- controls --------------------------------------------------------------------------------------

let counter = 0;

/** A labelled native control; returns {element, get, set}. `text(value)` writes aria-valuetext and the output. */
function slider(parent, label, { min, max, step, value }, text) {
  const id = `bptt-live-${++counter}`;
  const wrap = document.createElement('span');
  wrap.className = 'bptt-control';
  wrap.innerHTML = `<label for="${id}"></label> <input type="range" id="${id}"> <output for="${id}"></output>`;
  wrap.querySelector('label').textContent = label;
  const input = wrap.querySelector('input'), out = wrap.querySelector('output');
  Object.assign(input, { min: String(min), max: String(max), step: String(step), value: String(value) });
  const sync = () => {
    const t = text(Number(input.value));
    out.textContent = t;
    input.setAttribute('aria-valuetext', t);
  };
  input.addEventListener('input', sync);
  parent.appendChild(wrap);
  sync();
  return { element: input, get: () => Number(input.value), set: (v) => { input.value = String(v); sync(); } };
}

function select(parent, label, options, value) {
  const id = `bptt-live-${++counter}`;
  const wrap = document.createElement('span');
  wrap.className = 'bptt-control';
  wrap.innerHTML = `<label for="${id}"></label> <select id="${id}"></select>`;
  wrap.querySelector('label').textContent = label;
  const sel = wrap.querySelector('select');
  for (const [v, t] of options) {
    const o = document.createElement('option');
    o.value = String(v); o.textContent = t;
    sel.appendChild(o);
  }
  sel.value = String(value);
  parent.appendChild(wrap);
  return { element: sel, get: () => sel.value, set: (v) => { sel.value = String(v); } };
}

// --- the explorers ---------------------------------------------------------------------------------

function spectralExplorer(spec, ui) {
  const nets = {};
  const net = (seed) => (nets[seed] ??= seededNetwork(spec, spec.seeds[seed]));
  const seeds = Object.keys(spec.seeds);
  const c = {
    scale: slider(ui.controls, 'scale of W_s', spec.scale, (v) => v.toFixed(2)),
    mode: select(ui.controls, 'the scale sets', spec.modes.map((m) => [m, m]), spec.modes[0]),
    activation: select(ui.controls, 'activation f', spec.activations.map((a) => [a, a]), spec.activations[0]),
    T: slider(ui.controls, 'sequence length T', { min: 2, max: spec.T, step: 1, value: spec.T }, (v) => String(v)),
    seed: select(ui.controls, 'seed of W_s and the data', seeds.map((s) => [s, s]), seeds[0]),
  };
  const valueText = () => `${c.mode.get()} = ${c.scale.get().toFixed(2)}`;
  c.scale.element.addEventListener('input', () => c.scale.element.setAttribute('aria-valuetext', valueText()));
  c.mode.element.addEventListener('change', () => c.scale.element.setAttribute('aria-valuetext', valueText()));
  function draw() {
    const s = { scale: c.scale.get(), mode: c.mode.get(), activation: c.activation.get(), T: c.T.get(), seed: c.seed.get() };
    c.scale.element.setAttribute('aria-valuetext', valueText());
    const r = computeSpectral(spec, net(s.seed), s);
    const ctx = ui.ctx;
    ctx.clearRect(0, 0, ui.width, ui.height);
    logChart(ctx, { x: 58, y: 26, w: 430, h: 230 }, [
      { values: r.norms, colour: OKABE_ITO.blue, label: '‖∂L/∂h_k‖ (measured)' },
      { values: r.bound, colour: OKABE_ITO.orange, dash: [6, 4], label: `bound η^(T−k)‖δ_T‖, η = ${r.eta.toFixed(2)}` },
    ], { title: `${s.activation}: loss at step T = ${s.T}`, xLabel: 'step k' });
    eigenPlane(ctx, { x: 530, y: 26, w: 230, h: 230 }, r.eig, r.factor, r.rho);
    const perStep = r.ratio ** (1 / Math.max(1, s.T - 1));
    const trend = r.ratio < 1 ? 'shrinks' : 'grows';
    ui.readout.textContent = `ρ(W_s) = ${r.rho.toFixed(3)}, σ_max(W_s) = ${r.sigma.toFixed(3)}, γ = ${r.gamma}, `
      + `η = γσ_max = ${r.eta.toFixed(3)}; ‖δ_1‖/‖δ_T‖ = ${fmt(r.ratio)} (×${fmt(perStep)} per step)`;
    ui.readout.dataset.values = JSON.stringify({ rho: r.rho, sigma_max: r.sigma, eta: r.eta, ratio: r.ratio, delta_T: r.norms[s.T], delta_1: r.norms[1] });
    ui.canvas.setAttribute('aria-label', `Left: with a ${s.activation} RNN, ρ(W_s) = ${r.rho.toFixed(2)} and σ_max(W_s) = ${r.sigma.toFixed(2)}, `
      + `‖∂L/∂h_k‖ on a log scale ${trend} by ×${fmt(perStep, 2)} per step from ${fmt(r.norms[s.T], 2)} at the loss (k = ${s.T}) `
      + `to ${fmt(r.norms[0], 2)} at k = 0, under the dashed bound η^(T−k)‖δ_T‖ with η = ${r.eta.toFixed(2)}. `
      + `Right: the ${spec.H} eigenvalues of W_s, all within radius ${r.rho.toFixed(2)} of the origin, with the unit circle.`);
    return s;
  }
  return { controls: c, draw };
}

function truncationExplorer(spec, ui) {
  const nets = {};
  const net = (seed) => (nets[seed] ??= seededNetwork(spec, spec.seeds[seed]));
  const seeds = Object.keys(spec.seeds);
  const c = {
    k2: slider(ui.controls, 'k2 (steps back-propagated)', { ...spec.k2, step: 1 }, (v) => `k2 = ${v}`),
    rho: slider(ui.controls, 'ρ(W_s)', spec.rho, (v) => `ρ(W_s) = ${v.toFixed(2)}`),
    activation: select(ui.controls, 'activation f', spec.activations.map((a) => [a, a]), spec.activations[0]),
    T: slider(ui.controls, 'sequence length T', { min: 2, max: spec.T, step: 1, value: spec.T }, (v) => `T = ${v}`),
    seed: select(ui.controls, 'seed of W_s and the data', seeds.map((s) => [s, s]), seeds[0]),
  };
  function draw() {
    const s = { k2: c.k2.get(), rho: c.rho.get(), activation: c.activation.get(), T: c.T.get(), seed: c.seed.get() };
    const r = computeTruncation(spec, net(s.seed), s);
    const sigma = s.rho / net(s.seed).rhoG * net(s.seed).sigmaG;
    const ctx = ui.ctx;
    ctx.clearRect(0, 0, ui.width, ui.height);
    logChart(ctx, { x: 58, y: 26, w: 700, h: 230 }, [
      { values: r.contributions, colour: OKABE_ITO.blue, label: '‖C_k‖, contribution of step k to ∂L/∂W_s' },
    ], { k0: 1, title: `ρ(W_s) = ${s.rho.toFixed(2)}, k2 = ${r.k2}: relative error ${r.error.toExponential(1)}, cosine ${r.cosine.toFixed(3)}`, xLabel: 'step k (shaded: the k2 steps truncation keeps)', shade: [r.window, s.T] });
    ui.readout.textContent = `ρ(W_s) = ${s.rho.toFixed(3)}, σ_max(W_s) = ${sigma.toFixed(3)}; truncated BPTT keeps steps ${r.window}–${s.T}: `
      + `‖g_trunc − g_full‖/‖g_full‖ = ${fmt(r.error)}, cosine ${r.cosine.toFixed(4)}`;
    ui.readout.dataset.values = JSON.stringify({ error: r.error, cosine: r.cosine, sigma_max: sigma, rho: s.rho });
    const cs = r.contributions;
    ui.canvas.setAttribute('aria-label', `For a ${s.activation} RNN with ρ(W_s) = ${s.rho.toFixed(2)} (σ_max = ${sigma.toFixed(2)}) and one loss at step ${s.T}, `
      + `the contribution of each step to the gradient of W_s, on a log scale, goes from ${fmt(cs[s.T - 1], 2)} at step ${s.T} to ${fmt(cs[0], 2)} at step 1. `
      + `Truncated BPTT with k2 = ${r.k2} keeps steps ${r.window} to ${s.T} (shaded); its gradient differs from the full one by a relative error of ${r.error.toExponential(1)} (cosine ${r.cosine.toFixed(3)}).`);
    return s;
  }
  return { controls: c, draw };
}

const MODE_TEXT = { none: 'no clipping', norm: 'clip by norm', value: 'clip by value' };
const MODE_COLOUR = { none: OKABE_ITO.vermillion, norm: OKABE_ITO.sky, value: OKABE_ITO.orange };

function clippingExplorer(spec, ui) {
  const [[wLo, wHi], [bLo, bHi]] = spec.window;
  const ws = linspace(wLo, wHi, spec.resolution[0]), bs = linspace(bLo, bHi, spec.resolution[1]);
  const surface = E.cliffSurface(ws, bs); // once: every redraw shares it
  const box = { x: 60, y: 26, w: 420, h: 330 };
  const image = document.createElement('canvas');
  image.width = ws.length; image.height = bs.length;
  {
    const ictx = image.getContext('2d'), img = ictx.createImageData(ws.length, bs.length);
    const logs = surface.flatMap((row) => Array.from(row, (e) => Math.log10(Math.max(e, 1e-12))));
    const lo = Math.min(...logs), hi = Math.max(...logs);
    for (let i = 0; i < bs.length; i++) for (let j = 0; j < ws.length; j++) {
      const u = (logs[i * ws.length + j] - lo) / (hi - lo || 1); // cividis-like: dark blue (low) to yellow (high)
      const p = 4 * ((bs.length - 1 - i) * ws.length + j);
      img.data[p] = Math.round(0 + 250 * u); img.data[p + 1] = Math.round(32 + 200 * u); img.data[p + 2] = Math.round(96 - 60 * u); img.data[p + 3] = 255;
    }
    ictx.putImageData(img, 0, 0);
  }
  const reference = computeClipping(spec, { mode: 'none', threshold: null });
  const c = {
    mode: select(ui.controls, 'clipping', spec.modes.map((m) => [m, m]), spec.mode),
    theta: slider(ui.controls, 'threshold θ', spec.log10_threshold, (v) => `θ = ${fmt(10 ** v, 3)}`),
  };
  const X = (w) => box.x + ((w - wLo) / (wHi - wLo)) * box.w, Y = (b) => box.y + box.h - ((b - bLo) / (bHi - bLo)) * box.h;
  function path(ctx, pts, colour, dash) {
    ctx.strokeStyle = colour; ctx.lineWidth = 2; ctx.setLineDash(dash);
    ctx.beginPath();
    pts.forEach(([w, b], i) => (i ? ctx.lineTo(X(w), Y(b)) : ctx.moveTo(X(w), Y(b))));
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = colour;
    for (const [w, b] of pts) { ctx.beginPath(); ctx.arc(X(w), Y(b), 2.2, 0, 2 * Math.PI); ctx.fill(); }
  }
  function draw() {
    const s = { mode: c.mode.get(), theta: c.theta.get() };
    const threshold = 10 ** s.theta;
    const p = computeClipping(spec, { mode: s.mode, threshold });
    const ctx = ui.ctx;
    ctx.clearRect(0, 0, ui.width, ui.height);
    ctx.save();
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(image, box.x, box.y, box.w, box.h);
    ctx.beginPath(); ctx.rect(box.x, box.y, box.w, box.h); ctx.clip();
    path(ctx, reference.points, '#ffffff', [5, 4]);
    path(ctx, p.points, MODE_COLOUR[s.mode], []);
    ctx.restore();
    ctx.strokeStyle = '#767676'; ctx.strokeRect(box.x, box.y, box.w, box.h);
    ctx.fillStyle = '#222'; ctx.font = '12px system-ui, sans-serif'; ctx.textAlign = 'center'; ctx.textBaseline = 'top';
    ctx.fillText(`w (recurrent weight) from ${wLo} to ${wHi}`, box.x + box.w / 2, box.y + box.h + 6);
    ctx.save(); ctx.translate(box.x - 14, box.y + box.h / 2); ctx.rotate(-Math.PI / 2); ctx.fillText(`b from ${bLo} to ${bHi}`, 0, -8); ctx.restore();
    const largest = Math.max(...p.stepLengths), final = p.losses[p.losses.length - 1], clipped = p.clipped.filter(Boolean).length;
    const label = MODE_TEXT[s.mode] + (s.mode === 'none' ? '' : `, θ = ${fmt(threshold, 3)}`);
    ctx.textBaseline = 'bottom'; ctx.font = '13px system-ui, sans-serif';
    ctx.fillText(`${label}: largest step ${fmt(largest, 2)}, final error ${fmt(final, 2)}`, box.x + box.w / 2, box.y - 4);
    legend(ctx, box.x + 6, box.y + box.h - 46, [
      { colour: '#ffffff', dash: [5, 4], label: 'no clipping (reference)' },
      { colour: MODE_COLOUR[s.mode], label },
    ], { dark: true });
    ctx.fillStyle = '#222'; ctx.textAlign = 'left'; ctx.textBaseline = 'middle'; ctx.font = '12px system-ui, sans-serif';
    ctx.fillText('colour: error, log scale', box.x + box.w + 12, box.y + 10);
    ctx.fillText('dark: low, light: high', box.x + box.w + 12, box.y + 28);
    const [wEnd, bEnd] = p.points[p.points.length - 1];
    ui.readout.textContent = `${label}: ${clipped} of ${spec.steps} steps clipped, largest step ${fmt(largest)}, `
      + `path ends at w = ${fmt(wEnd)}, b = ${fmt(bEnd)} with error ${fmt(final)}`;
    ui.readout.dataset.values = JSON.stringify({ largest_step: largest, final_error: final, w_end: wEnd, b_end: bEnd, clipped });
    const where = wLo <= wEnd && wEnd <= wHi && bLo <= bEnd && bEnd <= bHi ? 'inside the window' : 'outside the window';
    ui.canvas.setAttribute('aria-label', `Error surface of the single-unit RNN over w from ${wLo} to ${wHi} and b from ${bLo} to ${bHi}: a high plateau below a sharp cliff and a low valley above it. `
      + `Gradient descent from w = ${spec.start[0]}, b = ${spec.start[1]} ${s.mode === 'none' ? 'without clipping' : `${MODE_TEXT[s.mode]} at threshold ${fmt(threshold, 3)}`}: `
      + `the largest step has length ${fmt(largest)} and the path ends at w = ${fmt(wEnd)}, b = ${fmt(bEnd)} (${where}) with error ${fmt(final, 2)}.`);
    return s;
  }
  return { controls: c, draw, height: 400 };
}

const EXPLORERS = { spectral: spectralExplorer, truncation: truncationExplorer, clipping: clippingExplorer };

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
  const make = EXPLORERS[spec.kind];
  if (!make) throw new Error(`live explorer kind must be one of ${Object.keys(EXPLORERS)}; got ${spec.kind}`);
  const root = document.createElement('div');
  root.className = 'bptt-live';
  root.setAttribute('role', 'group');
  root.setAttribute('aria-label', 'Live explorer, computed in your browser');
  root.innerHTML = '<div class="bptt-controls bptt-live-controls"></div><canvas class="bptt-live-figure" role="img"></canvas><p class="bptt-readout" aria-live="polite"></p>';
  figure.insertBefore(root, figure.firstChild);
  const canvas = root.querySelector('canvas');
  const ui = { controls: root.firstChild, canvas, readout: root.querySelector('.bptt-readout'), width: 780, height: 300 };
  const explorer = make(spec, ui);
  ui.height = explorer.height ?? ui.height;
  ui.ctx = setupCanvas(canvas, ui.width, ui.height);
  const saved = readUrl(spec.kind);
  for (const [name, ctl] of Object.entries(explorer.controls)) if (name in saved) ctl.set(saved[name]);
  let renders = 0;
  const redraw = () => {
    const t0 = performance.now();
    const settings = explorer.draw();
    figure.dataset.renderMs = String(performance.now() - t0);
    figure.dataset.renders = String(++renders);
    return settings;
  };
  for (const [name, ctl] of Object.entries(explorer.controls)) {
    ctl.element.dataset.control = name; // the browser test finds controls by name
    ctl.element.addEventListener('input', redraw);
    ctl.element.addEventListener('change', () => writeUrl(spec.kind, redraw()));
  }
  redraw();
  figure.classList.add('bptt-live-on');
  const note = figure.querySelector('figcaption em');
  if (note) note.textContent = '(Computed live in your browser by the course\'s JavaScript engine, which the tests check against rnnlib; without JavaScript this figure shows frames precomputed by rnnlib.)';
  return explorer;
}

function livenAll() {
  for (const figure of document.querySelectorAll('figure.bptt-twin[data-live]')) {
    try { liven(figure); } catch (e) { console.warn('live explorer unavailable, the static twin stays:', e); }
  }
}

if (typeof document !== 'undefined') {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', livenAll); else livenAll();
}
