/**
 * The explorers' drawing and controls, shared by the website and JupyterLab (no imports, no build step).
 *
 * On the website, live.js computes each frame with the course's engine (engine.js) in the reader's
 * browser; in JupyterLab, the anywidget front end of rnnlib.course.widgets.BrowserWidget receives
 * the frame rnnlib computed in the kernel. Both hand the same frame to the same draw function:
 *
 * - spectral: {norms, bound (Float64Array T+1), eigRe, eigIm (eigenvalues of W_s), rho, sigma, gamma, eta, ratio}
 * - truncation: {contributions (Float64Array T), window, error, cosine, sigma}
 * - clipping: {surface: {ws, bs, E (rows b, Float64Array)}, reference, points ([w, b] pairs), stepLengths, losses, clipped}
 * - unrolling: {states (Float64Array (t+1)·H: h_0..h_t, row-major), limit (the value axis, fixed over t)}
 *
 * Canonical file: rnnlib/course/templates/explorer_draw.js (package data, so an installed rnnlib
 * has it); the website build copies it to _static/bptt/ (book/_ext/bptt_site.py).
 * @module explorer_draw
 */
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

// --- drawing ---------------------------------------------------------------------------------------

export function pow10(n) {
  return '10' + String(n).split('').map((c) => SUPERSCRIPT[c] ?? c).join('');
}

export function fmt(v, digits = 3) {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4)) return v.toExponential(digits - 1).replace('e+', 'e');
  return v.toPrecision(digits).replace(/\.?0+$/, (m) => (m.includes('.') ? '' : m));
}

export function setupCanvas(canvas, width, height) {
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

function eigenPlane(ctx, box, eigRe, eigIm, rho) {
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
  for (let i = 0; i < eigRe.length; i++) {
    const [px, py] = P(eigRe[i], eigIm[i]);
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


/** A Play/Pause button beside `ctl` (a slider): steps it one position every `interval` ms up to its
 * maximum, firing the slider's input and change events as a reader's move does. */
function playButton(ctl, label, interval) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'bptt-live-play';
  ctl.element.parentElement.insertBefore(button, ctl.element.parentElement.firstChild);
  let timer = null;
  // The name says what a press does: "Play: step through …" while stopped, "Pause" while playing.
  const show = () => {
    button.textContent = timer === null ? '▶ Play' : '⏸ Pause';
    button.setAttribute('aria-label', timer === null ? `Play: step through ${label}` : 'Pause');
  };
  const el = ctl.element, max = () => Number(el.max), min = () => Number(el.min), step = () => Number(el.step) || 1;
  const move = (v) => {
    ctl.set(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  };
  const stop = () => { clearInterval(timer); timer = null; show(); };
  button.addEventListener('click', () => {
    if (timer !== null) { stop(); return; }
    if (ctl.get() >= max()) move(min());
    timer = setInterval(() => { if (ctl.get() >= max()) stop(); else move(Math.min(max(), ctl.get() + step())); }, interval);
    show();
  });
  show();
  return { element: button, stop, playing: () => timer !== null };
}

/** numpy-free cividis (the book's DIVERGING map in matplotlib): five stops, linear between them. */
const CIVIDIS = [[0, 32, 77], [65, 77, 107], [124, 123, 120], [188, 175, 111], [255, 234, 70]];
function cividis(u) {
  const x = Math.max(0, Math.min(1, u)) * (CIVIDIS.length - 1), i = Math.min(CIVIDIS.length - 2, Math.floor(x)), f = x - i;
  return CIVIDIS[i].map((c, k) => Math.round(c + f * (CIVIDIS[i + 1][k] - c)));
}

const SUBSCRIPT = { 0: '₀', 1: '₁', 2: '₂', 3: '₃', 4: '₄', 5: '₅', 6: '₆', 7: '₇', 8: '₈', 9: '₉', '-': '₋' };
/** 'h', 3 → 'h₃' (unicode subscripts, as the matplotlib figures write them). */
export function sub(symbol, t) {
  return symbol + String(t).split('').map((c) => SUBSCRIPT[c] ?? c).join('');
}

/** The steps the graph shows: all, or `maxSteps` around t (rnnlib.course.plotting.unrolled._window). */
function stepWindow(T, t, maxSteps) {
  if (T <= maxSteps) return [1, T];
  const last = Math.min(T, Math.max(maxSteps, t + Math.floor(maxSteps / 2)));
  return [last - maxSteps + 1, last];
}

/** The unrolled graph x_t → h_t ← h_{t-1} in box, step t highlighted (draw_unrolled_graph's colours). */
function unrolledGraph(ctx, box, T, t, maxSteps) {
  const [first, last] = stepWindow(T, t, maxSteps);
  const n = last - first + 1, gap = Math.min(66, box.w / (n + 2.6)), r = Math.min(17, gap * 0.3);
  const x0 = box.x + (box.w - gap * n) / 2, rowH = box.y + 24, rowX = box.y + box.h - 22;
  const X = (s) => x0 + (s - first + 1) * gap - gap / 2;
  const state = (kind, s) => {
    if (s < t - 1 || (s === t - 1 && kind !== 'h')) return 'past';
    if (s === t - 1 || (s === t && kind === 'x')) return 'input';
    if (s === t) return 'current';
    return 'future';
  };
  const FILL = { past: '#ffffff', input: OKABE_ITO.orange, current: OKABE_ITO.vermillion, future: '#ffffff' };
  const arrow = (ax, ay, bx, by, how, label, side) => {
    const d = Math.hypot(bx - ax, by - ay), ux = (bx - ax) / d, uy = (by - ay) / d;
    const sx = ax + ux * r, sy = ay + uy * r, ex = bx - ux * (r + 1), ey = by - uy * (r + 1);
    ctx.strokeStyle = ctx.fillStyle = how === 'active' ? '#222' : how === 'future' ? '#c8c8c8' : '#666';
    ctx.lineWidth = how === 'active' ? 3.2 : 1.3;
    ctx.beginPath(); ctx.moveTo(sx, sy); ctx.lineTo(ex - ux * 6, ey - uy * 6); ctx.stroke();
    ctx.beginPath(); ctx.moveTo(ex, ey);
    ctx.lineTo(ex - ux * 9 - uy * 4.5, ey - uy * 9 + ux * 4.5); ctx.lineTo(ex - ux * 9 + uy * 4.5, ey - uy * 9 - ux * 4.5);
    ctx.closePath(); ctx.fill();
    if (label) {
      ctx.fillStyle = '#222'; ctx.font = '12px system-ui, sans-serif';
      ctx.textAlign = side === 'above' ? 'center' : 'left'; ctx.textBaseline = side === 'above' ? 'bottom' : 'middle';
      ctx.fillText(label, side === 'above' ? (sx + ex) / 2 : sx + 5, side === 'above' ? sy - r - 1 : (sy + ey) / 2);
    }
  };
  const node = (cx, cy, kind, s) => {
    const st = state(kind, s);
    ctx.beginPath(); ctx.arc(cx, cy, r, 0, 2 * Math.PI);
    ctx.fillStyle = FILL[st]; ctx.fill();
    ctx.lineWidth = st === 'current' || st === 'input' ? 2.4 : 1.6;
    ctx.strokeStyle = st === 'future' ? '#c8c8c8' : kind === 'x' ? OKABE_ITO.green : OKABE_ITO.blue;
    ctx.stroke();
    ctx.fillStyle = st === 'future' ? '#8a8a8a' : st === 'current' ? '#000' : '#222';
    ctx.font = `${n > 8 ? 12 : 13}px system-ui, sans-serif`; ctx.textAlign = 'center'; ctx.textBaseline = 'middle';
    ctx.fillText(sub(kind, s), cx, cy);
  };
  ctx.save();
  node(X(first - 1), rowH, 'h', first - 1);
  for (let s = first; s <= last; s++) {
    const how = s === t ? 'active' : s > t ? 'future' : 'past';
    arrow(X(s - 1), rowH, X(s), rowH, how, s === t ? 'W_s' : null, 'above');
    arrow(X(s), rowX, X(s), rowH, how, s === t ? 'W_x' : null, 'right');
    node(X(s), rowX, 'x', s);
    node(X(s), rowH, 'h', s);
  }
  ctx.fillStyle = '#222'; ctx.font = '16px system-ui, sans-serif'; ctx.textAlign = 'center'; ctx.textBaseline = 'middle';
  if (first > 1) ctx.fillText('…', X(first - 1) - gap * 0.55, rowH);
  if (last < T) ctx.fillText('…', X(last) + gap * 0.6, rowH);
  ctx.restore();
}

/** The states h_0..h_t as an image (unit i down, step across, cividis from −limit to +limit); later steps blank. */
function stateStrip(ctx, box, states, H, T, t, limit) {
  const image = document.createElement('canvas');
  image.width = T + 1; image.height = H;
  const ictx = image.getContext('2d'), img = ictx.createImageData(T + 1, H);
  img.data.fill(255);
  for (let s = 0; s <= t; s++) for (let i = 0; i < H; i++) {
    const [rr, gg, bb] = cividis((states[s * H + i] / limit + 1) / 2), q = 4 * (i * (T + 1) + s);
    img.data[q] = rr; img.data[q + 1] = gg; img.data[q + 2] = bb;
  }
  ictx.putImageData(img, 0, 0);
  ctx.save();
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(image, box.x, box.y, box.w, box.h);
  const cw = box.w / (T + 1);
  ctx.strokeStyle = '#767676'; ctx.lineWidth = 1; ctx.strokeRect(box.x, box.y, box.w, box.h);
  ctx.strokeStyle = OKABE_ITO.vermillion; ctx.lineWidth = 2; ctx.strokeRect(box.x + t * cw, box.y, Math.max(cw, 2), box.h);
  ctx.fillStyle = '#222'; ctx.font = '12px system-ui, sans-serif'; ctx.textAlign = 'center'; ctx.textBaseline = 'top';
  for (const s of [...new Set([0, Math.round(T / 2), T])]) ctx.fillText(String(s), box.x + (s + 0.5) * cw, box.y + box.h + 4);
  ctx.fillText('time step t', box.x + box.w / 2, box.y + box.h + 18);
  ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
  ctx.fillText('1', box.x - 4, box.y + box.h / H / 2);
  ctx.fillText(String(H), box.x - 4, box.y + box.h - box.h / H / 2);
  ctx.save(); ctx.translate(box.x - 26, box.y + box.h / 2); ctx.rotate(-Math.PI / 2); ctx.textAlign = 'center'; ctx.fillText('unit i', 0, 0); ctx.restore();
  ctx.font = '13px system-ui, sans-serif'; ctx.textAlign = 'center'; ctx.textBaseline = 'bottom';
  ctx.fillText(`states computed so far: h₀ … ${sub('h', t)}`, box.x + box.w / 2, box.y - 4);
  // colour key: −limit … +limit
  const kx = box.x + box.w + 8, kw = 10;
  for (let j = 0; j < 40; j++) {
    const [rr, gg, bb] = cividis(1 - j / 39);
    ctx.fillStyle = `rgb(${rr},${gg},${bb})`; ctx.fillRect(kx, box.y + (j * box.h) / 40, kw, box.h / 40 + 0.5);
  }
  ctx.fillStyle = '#222'; ctx.font = '11px system-ui, sans-serif'; ctx.textAlign = 'left';
  ctx.fillText(`+${fmt(limit, 2)}`, kx + kw + 3, box.y + 6);
  ctx.fillText(`−${fmt(limit, 2)}`, kx + kw + 3, box.y + box.h - 6);
  ctx.restore();
}

/** The components of h_t as bars (vermillion), those of h_{t-1} as open circles (orange), y from −limit to +limit. */
function stateBars(ctx, box, ht, hp, t, limit) {
  const H = ht.length, w = box.w / H, Y = (v) => box.y + box.h / 2 - (v / limit) * (box.h / 2);
  ctx.save();
  ctx.fillStyle = '#fff'; ctx.fillRect(box.x, box.y, box.w, box.h);
  ctx.strokeStyle = '#767676'; ctx.lineWidth = 1; ctx.strokeRect(box.x, box.y, box.w, box.h);
  ctx.fillStyle = OKABE_ITO.vermillion;
  for (let i = 0; i < H; i++) {
    const y0 = Y(0), y1 = Y(ht[i]);
    ctx.fillRect(box.x + i * w + w * 0.15, Math.min(y0, y1), w * 0.7, Math.abs(y1 - y0));
  }
  ctx.strokeStyle = '#444'; ctx.beginPath(); ctx.moveTo(box.x, Y(0)); ctx.lineTo(box.x + box.w, Y(0)); ctx.stroke();
  ctx.strokeStyle = OKABE_ITO.orange; ctx.lineWidth = 1.8;
  const rr = Math.max(1.8, Math.min(5, w * 0.3));
  for (let i = 0; i < H; i++) { ctx.beginPath(); ctx.arc(box.x + (i + 0.5) * w, Y(hp[i]), rr, 0, 2 * Math.PI); ctx.stroke(); }
  ctx.fillStyle = '#222'; ctx.font = '12px system-ui, sans-serif'; ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
  for (const v of [limit, 0, -limit]) ctx.fillText(v === 0 ? '0' : `${v > 0 ? '+' : '−'}${fmt(Math.abs(v), 2)}`, box.x - 4, Y(v));
  ctx.textAlign = 'center'; ctx.textBaseline = 'top';
  ctx.fillText(`unit i = 1 … ${H}`, box.x + box.w / 2, box.y + box.h + 4);
  ctx.font = '13px system-ui, sans-serif'; ctx.textBaseline = 'bottom';
  ctx.fillText(`${sub('h', t)} (bars) and ${sub('h', t - 1)} (circles)`, box.x + box.w / 2, box.y - 4);
  ctx.restore();
}

// --- the explorers: controls and drawing ------------------------------------------------------------

function seedOptions(spec) {
  return (spec.seed_values ?? Object.keys(spec.seeds)).map((s) => [String(s), String(s)]);
}

const MODE_TEXT = { none: 'no clipping', norm: 'clip by norm', value: 'clip by value' };
const MODE_COLOUR = { none: OKABE_ITO.vermillion, norm: OKABE_ITO.sky, value: OKABE_ITO.orange };

export const KINDS = {
  spectral: {
    controls: (spec, ui) => ({
      scale: slider(ui.controls, 'scale of W_s', spec.scale, (v) => v.toFixed(2)),
      mode: select(ui.controls, 'the scale sets', spec.modes.map((m) => [m, m]), spec.modes[0]),
      activation: select(ui.controls, 'activation f', spec.activations.map((a) => [a, a]), spec.activations[0]),
      T: slider(ui.controls, 'sequence length T', { min: 2, max: spec.T, step: 1, value: spec.T }, (v) => `T = ${v}`),
      seed: select(ui.controls, 'seed of W_s and the data', seedOptions(spec), seedOptions(spec)[0][0]),
    }),
    draw(ui, spec, r, s) {
      ui.byName.scale.element.setAttribute('aria-valuetext', `${s.mode} = ${s.scale.toFixed(2)}`);
      const ctx = ui.ctx;
      ctx.clearRect(0, 0, ui.width, ui.height);
      logChart(ctx, { x: 58, y: 26, w: 430, h: 230 }, [
        { values: r.norms, colour: OKABE_ITO.blue, label: '‖∂L/∂h_k‖ (measured)' },
        { values: r.bound, colour: OKABE_ITO.orange, dash: [6, 4], label: `bound η^(T−k)‖δ_T‖, η = ${r.eta.toFixed(2)}` },
      ], { title: `${s.activation}: loss at step T = ${s.T}`, xLabel: 'step k' });
      eigenPlane(ctx, { x: 530, y: 26, w: 230, h: 230 }, r.eigRe, r.eigIm, r.rho);
      const perStep = r.ratio ** (1 / Math.max(1, s.T - 1));
      const trend = r.ratio < 1 ? 'shrinks' : 'grows';
      ui.readout.textContent = `ρ(W_s) = ${r.rho.toFixed(3)}, σ_max(W_s) = ${r.sigma.toFixed(3)}, γ = ${r.gamma}, `
        + `η = γσ_max = ${r.eta.toFixed(3)}; ‖δ_1‖/‖δ_T‖ = ${fmt(r.ratio)} (×${fmt(perStep)} per step)`;
      ui.readout.dataset.values = JSON.stringify({ rho: r.rho, sigma_max: r.sigma, eta: r.eta, ratio: r.ratio, delta_T: r.norms[s.T], delta_1: r.norms[1] });
      ui.canvas.setAttribute('aria-label', `Left: with a ${s.activation} RNN, ρ(W_s) = ${r.rho.toFixed(2)} and σ_max(W_s) = ${r.sigma.toFixed(2)}, `
        + `‖∂L/∂h_k‖ on a log scale ${trend} by ×${fmt(perStep, 2)} per step from ${fmt(r.norms[s.T], 2)} at the loss (k = ${s.T}) `
        + `to ${fmt(r.norms[0], 2)} at k = 0, under the dashed bound η^(T−k)‖δ_T‖ with η = ${r.eta.toFixed(2)}. `
        + `Right: the ${spec.H} eigenvalues of W_s, all within radius ${r.rho.toFixed(2)} of the origin, with the unit circle.`);
    },
  },
  truncation: {
    controls: (spec, ui) => ({
      k2: slider(ui.controls, 'k2 (steps back-propagated)', { ...spec.k2, step: 1 }, (v) => `k2 = ${v}`),
      rho: slider(ui.controls, 'ρ(W_s)', spec.rho, (v) => `ρ(W_s) = ${v.toFixed(2)}`),
      activation: select(ui.controls, 'activation f', spec.activations.map((a) => [a, a]), spec.activations[0]),
      T: slider(ui.controls, 'sequence length T', { min: 2, max: spec.T, step: 1, value: spec.T }, (v) => `T = ${v}`),
      seed: select(ui.controls, 'seed of W_s and the data', seedOptions(spec), seedOptions(spec)[0][0]),
    }),
    draw(ui, spec, r, s) {
      const ctx = ui.ctx;
      const k2 = Math.min(s.k2, s.T);
      ctx.clearRect(0, 0, ui.width, ui.height);
      logChart(ctx, { x: 58, y: 26, w: 700, h: 230 }, [
        { values: r.contributions, colour: OKABE_ITO.blue, label: '‖C_k‖, contribution of step k to ∂L/∂W_s' },
      ], { k0: 1, title: `ρ(W_s) = ${s.rho.toFixed(2)}, k2 = ${k2}: relative error ${r.error.toExponential(1)}, cosine ${r.cosine.toFixed(3)}`, xLabel: 'step k (shaded: the k2 steps truncation keeps)', shade: [r.window, s.T] });
      ui.readout.textContent = `ρ(W_s) = ${s.rho.toFixed(3)}, σ_max(W_s) = ${r.sigma.toFixed(3)}; truncated BPTT keeps steps ${r.window}–${s.T}: `
        + `‖g_trunc − g_full‖/‖g_full‖ = ${fmt(r.error)}, cosine ${r.cosine.toFixed(4)}`;
      ui.readout.dataset.values = JSON.stringify({ error: r.error, cosine: r.cosine, sigma_max: r.sigma, rho: s.rho });
      const cs = r.contributions;
      ui.canvas.setAttribute('aria-label', `For a ${s.activation} RNN with ρ(W_s) = ${s.rho.toFixed(2)} (σ_max = ${r.sigma.toFixed(2)}) and one loss at step ${s.T}, `
        + `the contribution of each step to the gradient of W_s, on a log scale, goes from ${fmt(cs[s.T - 1], 2)} at step ${s.T} to ${fmt(cs[0], 2)} at step 1. `
        + `Truncated BPTT with k2 = ${k2} keeps steps ${r.window} to ${s.T} (shaded); its gradient differs from the full one by a relative error of ${r.error.toExponential(1)} (cosine ${r.cosine.toFixed(3)}).`);
    },
  },
  clipping: {
    height: 400,
    controls: (spec, ui) => ({
      mode: select(ui.controls, 'clipping', spec.modes.map((m) => [m, m]), spec.mode),
      theta: slider(ui.controls, 'threshold θ', spec.log10_threshold, (v) => `θ = ${fmt(10 ** v, 3)}`),
    }),
    draw(ui, spec, p, s) {
      const [[wLo, wHi], [bLo, bHi]] = spec.window;
      const box = { x: 60, y: 26, w: 420, h: 330 };
      if (p.surface) ui.surfaceImage = surfaceImage(p.surface); // the surface comes once; every redraw shares it
      const X = (w) => box.x + ((w - wLo) / (wHi - wLo)) * box.w, Y = (b) => box.y + box.h - ((b - bLo) / (bHi - bLo)) * box.h;
      if (p.reference) ui.reference = p.reference;
      const path = (ctx, pts, colour, dash) => {
        ctx.strokeStyle = colour; ctx.lineWidth = 2; ctx.setLineDash(dash);
        ctx.beginPath();
        pts.forEach(([w, b], i) => (i ? ctx.lineTo(X(w), Y(b)) : ctx.moveTo(X(w), Y(b))));
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = colour;
        for (const [w, b] of pts) { ctx.beginPath(); ctx.arc(X(w), Y(b), 2.2, 0, 2 * Math.PI); ctx.fill(); }
      };
      const threshold = 10 ** s.theta;
      const ctx = ui.ctx;
      ctx.clearRect(0, 0, ui.width, ui.height);
      ctx.save();
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(ui.surfaceImage, box.x, box.y, box.w, box.h);
      ctx.beginPath(); ctx.rect(box.x, box.y, box.w, box.h); ctx.clip();
      path(ctx, ui.reference, '#ffffff', [5, 4]);
      path(ctx, p.points, MODE_COLOUR[s.mode], []);
      ctx.restore();
      ctx.strokeStyle = '#767676'; ctx.strokeRect(box.x, box.y, box.w, box.h);
      ctx.fillStyle = '#222'; ctx.font = '12px system-ui, sans-serif'; ctx.textAlign = 'center'; ctx.textBaseline = 'top';
      ctx.fillText(`w (recurrent weight) from ${wLo} to ${wHi}`, box.x + box.w / 2, box.y + box.h + 6);
      ctx.save(); ctx.translate(box.x - 14, box.y + box.h / 2); ctx.rotate(-Math.PI / 2); ctx.fillText(`b from ${bLo} to ${bHi}`, 0, -8); ctx.restore();
      const largest = Math.max(...p.stepLengths), final = p.losses[p.losses.length - 1], clipped = Array.from(p.clipped).filter(Boolean).length;
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
    },
  },
  unrolling: {
    // Side by side at the book's width; on a narrow page (a phone) the three panels are stacked at the
    // page's own width, so that the text stays at its size instead of being scaled down.
    size: (available) => (available >= 600 ? { width: 780, height: 390 } : { width: Math.max(300, Math.floor(available)), height: 600 }),
    controls: (spec, ui) => {
      const t = slider(ui.controls, 'time step t', spec.t, (v) => `t = ${v} of ${spec.T}`);
      const c = {
        t,
        activation: select(ui.controls, 'activation f', spec.activations.map((a) => [a, a]), spec.activations[0]),
      };
      ui.play = playButton(t, 'the time steps t', spec.interval_ms ?? 700);
      return c;
    },
    draw(ui, spec, r, s) {
      const { H, T } = spec, t = s.t, st = r.states;
      const ht = st.subarray(t * H, (t + 1) * H), hp = st.subarray((t - 1) * H, t * H);
      let norm = 0, change = 0, lo = Infinity, hi = -Infinity;
      for (let i = 0; i < H; i++) {
        norm += ht[i] ** 2; change += (ht[i] - hp[i]) ** 2;
        lo = Math.min(lo, ht[i]); hi = Math.max(hi, ht[i]);
      }
      norm = Math.sqrt(norm); change = Math.sqrt(change);
      const ctx = ui.ctx;
      ctx.clearRect(0, 0, ui.width, ui.height);
      ctx.fillStyle = '#222'; ctx.font = '14px system-ui, sans-serif'; ctx.textAlign = 'center'; ctx.textBaseline = 'top';
      const formula = `${sub('h', t)} = ${s.activation}(W_s ${sub('h', t - 1)} + W_x ${sub('x', t)} + b)`;
      if (ui.width >= 600) ctx.fillText(`step t = ${t}:  ${formula}`, ui.width / 2, 4);
      else { ctx.fillText(`step t = ${t}:`, ui.width / 2, 4); ctx.fillText(formula, ui.width / 2, 22); }
      const wide = ui.width >= 600, W = ui.width;
      unrolledGraph(ctx, { x: 10, y: wide ? 26 : 44, w: W - 20, h: 130 }, T, t, wide ? 10 : Math.max(3, Math.floor((W - 20) / 60) - 1));
      stateStrip(ctx, wide ? { x: 60, y: 200, w: 300, h: 140 } : { x: 50, y: 220, w: W - 110, h: 130 }, st, H, T, t, r.limit);
      stateBars(ctx, wide ? { x: 470, y: 200, w: 290, h: 140 } : { x: 50, y: 430, w: W - 70, h: 130 }, ht, hp, t, r.limit);
      ui.readout.textContent = `t = ${t} of ${T} (${s.activation}): ‖${sub('h', t)}‖ = ${fmt(norm, 4)}, `
        + `this step moved the state by ‖${sub('h', t)} − ${sub('h', t - 1)}‖ = ${fmt(change, 4)}; `
        + `the ${H} components of ${sub('h', t)} lie between ${fmt(lo, 3)} and ${fmt(hi, 3)}`;
      ui.readout.dataset.values = JSON.stringify({ t, norm_h: norm, change, h_min: lo, h_max: hi });
      ui.canvas.setAttribute('aria-label', `Step t = ${t} of ${T}. The unrolled network is drawn with h_${t - 1} and x_${t} highlighted (orange) as the `
        + `inputs of h_${t} (red), and the later steps faded. Below, a heat strip of the hidden states h_0 to h_${t} `
        + `(${H} units each; later columns blank) and a bar chart of the ${H} components of h_${t}, which lie `
        + `between ${lo.toFixed(2)} and ${hi.toFixed(2)}, beside those of h_${t - 1}; `
        + `the state moved by ${change.toFixed(2)} (Euclidean norm) in this step and has norm ${norm.toFixed(2)}.`);
    },
  },
};

/** The error surface {ws, bs, E (rows b, row-major)} as an image, dark (low error) to light (high), log scale. */
function surfaceImage({ ws, bs, E }) {
  const image = document.createElement('canvas');
  image.width = ws.length; image.height = bs.length;
  const ictx = image.getContext('2d'), img = ictx.createImageData(ws.length, bs.length);
  const logs = Float64Array.from(E, (e) => Math.log10(Math.max(e, 1e-12)));
  let lo = Infinity, hi = -Infinity;
  for (const v of logs) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  for (let i = 0; i < bs.length; i++) for (let j = 0; j < ws.length; j++) {
    const u = (logs[i * ws.length + j] - lo) / (hi - lo || 1);
    const q = 4 * ((bs.length - 1 - i) * ws.length + j);
    img.data[q] = Math.round(250 * u); img.data[q + 1] = Math.round(32 + 200 * u); img.data[q + 2] = Math.round(96 - 60 * u); img.data[q + 3] = 255;
  }
  ictx.putImageData(img, 0, 0);
  return image;
}

/**
 * Build an explorer's controls, canvas and readout in `container` for `spec`; `request(settings)` is
 * called on every input (the caller computes the frame and calls `render(frame, settings)`).
 * Controls carry `data-control` (their name) for the tests.
 */
export function mount(container, spec, request) {
  const kind = KINDS[spec.kind];
  if (!kind) throw new Error(`spec.kind must be one of ${Object.keys(KINDS)}; got ${spec.kind}`);
  const root = document.createElement('div');
  root.className = 'bptt-live';
  root.setAttribute('role', 'group');
  root.setAttribute('aria-label', 'Live explorer');
  root.innerHTML = '<div class="bptt-controls bptt-live-controls"></div><canvas class="bptt-live-figure" role="img"></canvas><p class="bptt-readout" aria-live="polite"></p>';
  container.insertBefore(root, container.firstChild);
  // Arrow, Home/End and Page keys move the focused control: JupyterLab's shortcuts (which take arrow
  // keys) must not see them; every other key (Ctrl+S, Escape) still reaches JupyterLab.
  const MOVES = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown']);
  root.addEventListener('keydown', (e) => { if (MOVES.has(e.key) && !e.ctrlKey && !e.metaKey && !e.altKey) e.stopPropagation(); });
  // A kind with `size(width available)` lays itself out for narrow pages (a phone) too.
  const size = kind.size ? kind.size(container.clientWidth || 780) : { width: 780, height: kind.height ?? 300 };
  const ui = { root, controls: root.firstChild, canvas: root.querySelector('canvas'), readout: root.querySelector('.bptt-readout'), ...size };
  ui.byName = kind.controls(spec, ui);
  ui.ctx = setupCanvas(ui.canvas, ui.width, ui.height);
  const settings = () => Object.fromEntries(Object.entries(ui.byName).map(([name, c]) => [name, c.get()]));
  for (const [name, ctl] of Object.entries(ui.byName)) {
    ctl.element.dataset.control = name;
    ctl.element.addEventListener('input', () => request(settings(), 'input'));
    ctl.element.addEventListener('change', () => request(settings(), 'change'));
  }
  return { ui, controls: ui.byName, settings, render: (frame, s) => kind.draw(ui, spec, frame, s) };
}
