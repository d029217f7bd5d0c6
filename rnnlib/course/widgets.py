"""Interactive figures: a live ipywidgets control in a notebook, a static twin on the website.

An :class:`Explorer` is a figure redrawn by ``render(fig, **values)`` whenever a
control changes. Displayed in a notebook it offers two representations at once:

- the live widget (``application/vnd.jupyter.widget-view+json``), which JupyterLab
  shows: for every explorer with a ``lab`` side (the unrolling stepper, the spectral, truncation
  and clipping explorers) the browser front end (:func:`browser_widget`, anywidget), whose controls
  and canvas drawing are the website's (``templates/explorer_draw.js``) and whose every frame
  rnnlib computes in the kernel; without anywidget, or for an explorer without a ``lab`` side,
  ipywidgets sliders and a matplotlib PNG, recomputed on every move;
- a static twin (``text/html``), which the website shows: every frame precomputed by
  rnnlib over the grid of control values, with working sliders, a play button and
  the current values written out, in plain HTML and JavaScript with no external files.

The book's configuration tells MyST-NB to skip the widget representation, so the
website never shows a control without a kernel behind it.

The static twin is built only where it is shown: when the environment variable
``BPTT_STATIC_TWIN`` is ``1``, which the website's Sphinx extension (``book/_ext/bptt_site.py``)
sets before MyST-NB starts the kernels that execute the chapters. Everywhere else (JupyterLab,
nbval, VS Code) the ``text/html`` representation is a short fallback that says how to bring
the explorer to life; rendering every frame would cost seconds that nobody there sees.
"""

from __future__ import annotations

import base64
import html
import itertools
import json
import os
import string
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import matplotlib.pyplot as plt

from rnnlib import validate

from .plotting import STYLE, to_png

#: The explicit switch that makes an explorer's ``text/html`` the static twin (set by the website build).
STATIC_TWIN_ENV = "BPTT_STATIC_TWIN"


def static_twin_enabled() -> bool:
    """True when ``BPTT_STATIC_TWIN=1``: only the website build renders the precomputed frames."""
    value = os.environ.get(STATIC_TWIN_ENV, "")
    if value not in ("", "0", "1"):
        raise ValueError(f"the environment variable {STATIC_TWIN_ENV} must be 0 or 1 (or unset); got {value!r}")
    return value == "1"


@dataclass(frozen=True)
class Control:
    """One control of an explorer.

    Parameters
    ----------
    name : str
        Keyword passed to ``render``.
    label : str
        What the reader sees (may contain unicode maths, e.g. "ρ(W_s)").
    values : sequence
        The grid of values; the static twin has one frame per combination of all controls' values.
    fmt : str
        Format for displaying a value, e.g. "{:.2f}".
    play : bool
        The live widget offers a Play button (``ipywidgets.Play``) that steps through the values.
    """

    name: str
    label: str
    values: Sequence
    fmt: str = "{}"
    play: bool = False

    def text(self, value) -> str:
        return self.fmt.format(value)

    @property
    def numeric(self) -> bool:
        return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in self.values)


class Explorer:
    """A figure driven by controls (see the module docstring).

    Parameters
    ----------
    controls : list of Control
    render : callable
        ``render(fig, **values)`` clears nothing itself: the explorer clears the figure,
        then ``render`` draws into it using rnnlib.
    initial : dict, optional
        Starting values (default: the middle of each grid).
    figsize : tuple
    alt : callable
        ``alt(**values) -> str``: the alt text of the frame for those values.
    caption : str
        Shown under the static twin.
    dpi : int
        Resolution of the PNG frames (lower keeps the page light).
    live : callable, optional
        ``live() -> dict``: what the website's JavaScript (``book/_static/bptt/live.js``) needs to
        compute this explorer in the reader's browser (``"kind"`` names the explorer; the seeded
        arrays rnnlib drew, as :func:`float64_base64` strings). Embedded in the static twin only;
        with JavaScript the page replaces the twin's precomputed frames by the live explorer.
    lab : tuple, optional
        ``(spec, frame)`` or ``(spec, frame, extra)``: the live widget is then the browser front end
        (:class:`BrowserWidget`, anywidget) instead of matplotlib PNGs. ``spec() -> dict`` gives the
        controls (as for ``live``, without the arrays), ``frame(settings) -> dict`` computes with
        rnnlib what one move shows (numpy arrays are sent as binary float64), and ``extra() -> dict``
        what every frame shares (sent once).
    """

    def __init__(
        self,
        controls,
        render: Callable,
        *,
        alt: Callable,
        caption="",
        initial=None,
        figsize=(8.0, 3.4),
        dpi=72,
        live: Callable[[], dict] | None = None,
        lab: tuple | None = None,
    ):
        if not controls:
            raise ValueError("controls must list at least one Control; got none")
        for c in controls:
            if not isinstance(c, Control) or len(c.values) == 0:
                raise ValueError(f"controls must be Control objects with at least one value; got {c!r}")
        self.controls = list(controls)
        self.render = render
        self.alt = alt
        self.caption = caption
        self.figsize = figsize
        if live is not None and not callable(live):
            raise ValueError(f"live must be a callable returning a dict, or None; got {live!r}")
        self.live = live
        if lab is not None and not (isinstance(lab, tuple) and len(lab) in (2, 3) and all(map(callable, lab))):
            raise ValueError(
                f"lab must be a tuple (spec, frame) or (spec, frame, extra) of callables, or None; got {lab!r}"
            )
        self.lab = lab
        self.dpi = validate.positive_int("dpi", dpi, minimum=20)
        self.values = {c.name: c.values[len(c.values) // 2] for c in self.controls}
        if initial:
            for name, value in initial.items():
                control = self._control(name)
                if value not in control.values:
                    raise ValueError(f"initial value for {name!r} must be one of {list(control.values)}; got {value!r}")
                self.values[name] = value
        with plt.rc_context(STYLE):  # type: ignore[arg-type]
            self.fig = plt.figure(figsize=figsize, layout="constrained")
        plt.close(self.fig)  # the explorer shows PNGs; keep the figure out of pyplot's auto-display
        self._widget = None

    def _control(self, name):
        for c in self.controls:
            if c.name == name:
                return c
        raise ValueError(f"no control named {name!r}; controls are {[c.name for c in self.controls]}")

    # --- drawing ------------------------------------------------------------------------------------
    def draw(self, compact=False, **values) -> bytes:
        """Redraw for ``values`` (missing ones keep their current value); returns the PNG bytes.

        This is what one slider move costs in a live notebook (timed by ``make bench``).
        ``compact`` stores a palette PNG (for the static twin's frames).
        """
        for name, value in values.items():
            self._control(name)
            self.values[name] = value
        self.fig.clear()
        with plt.rc_context(STYLE):  # type: ignore[arg-type]
            self.render(self.fig, **self.values)
        return to_png(self.fig, dpi=self.dpi, compact=compact)

    def frames(self):
        """Every combination of control values with its PNG frame, in row-major order of the controls."""
        grids = [c.values for c in self.controls]
        saved = dict(self.values)
        out = []
        for combo in itertools.product(*grids):
            values = dict(zip((c.name for c in self.controls), combo))
            out.append((values, self.draw(compact=True, **values)))
        self.values = saved
        return out

    # --- the live widget ----------------------------------------------------------------------------
    def widget(self):
        """The live widget: the browser front end (:class:`BrowserWidget`) when the explorer has a
        ``lab`` side and anywidget is installed; otherwise ipywidgets sliders and a matplotlib PNG."""
        if self._widget is not None:
            return self._widget
        if self.lab is not None:
            try:
                self._widget = browser_widget(*self.lab)
                return self._widget
            except ImportError:
                pass  # no anywidget: the matplotlib widget below
        import ipywidgets as w

        image = w.Image(value=self.draw(), format="png", layout=w.Layout(max_width="100%"))
        inputs = []
        for c in self.controls:
            options = [(c.text(v), v) for v in c.values]
            if c.numeric:
                ctl = w.SelectionSlider(
                    options=options,
                    value=self.values[c.name],
                    description=c.label,
                    continuous_update=True,
                    style={"description_width": "initial"},
                    layout=w.Layout(width="420px"),
                )
            else:
                ctl = w.Dropdown(
                    options=options,
                    value=self.values[c.name],
                    description=c.label,
                    style={"description_width": "initial"},
                )

            def changed(change, name=c.name):
                image.value = self.draw(**{name: change["new"]})

            ctl.observe(changed, names="value")
            if c.play and c.numeric:
                # Play steps the slider's index; the slider's observer redraws, as for a hand-made move.
                play = w.Play(
                    value=ctl.index,
                    min=0,
                    max=len(c.values) - 1,
                    step=1,
                    interval=700,
                    repeat=False,
                    description="Play",
                    tooltip=f"Play: step through {c.label}",
                )
                w.jslink((play, "value"), (ctl, "index"))
                inputs.append(play)
            inputs.append(ctl)
        self._widget = w.VBox([w.HBox(inputs, layout=w.Layout(flex_flow="row wrap")), image])
        return self._widget

    # --- the static twin ----------------------------------------------------------------------------
    def static_html(self) -> str:
        """Self-contained HTML: every frame precomputed, sliders that switch frames, a play button."""
        frames = self.frames()
        uid = (
            "bptt-"
            + uuid.uuid5(
                uuid.NAMESPACE_URL, repr([(c.name, list(c.values)) for c in self.controls]) + self.caption
            ).hex[:10]
        )
        sizes = [len(c.values) for c in self.controls]
        start = [list(c.values).index(self.values[c.name]) for c in self.controls]
        data: dict[str, Any] = {
            "sizes": sizes,
            "labels": [[c.text(v) for v in c.values] for c in self.controls],
            "names": [c.label for c in self.controls],
            "frames": [base64.b64encode(png).decode("ascii") for _, png in frames],
            "alts": [self.alt(**values) for values, _ in frames],
        }
        controls_html = []
        for i, c in enumerate(self.controls):
            cid = f"{uid}-c{i}"
            if c.numeric:
                ctl = (
                    f'<input type="range" id="{cid}" data-axis="{i}" min="0" max="{len(c.values) - 1}" '
                    f'step="1" value="{start[i]}">'
                )
            else:
                opts = "".join(
                    f'<option value="{j}"{" selected" if j == start[i] else ""}>{html.escape(c.text(v))}</option>'
                    for j, v in enumerate(c.values)
                )
                ctl = f'<select id="{cid}" data-axis="{i}">{opts}</select>'
            controls_html.append(
                f'<span class="bptt-control"><label for="{cid}">{html.escape(c.label)}</label> {ctl} '
                f'<output for="{cid}" data-axis="{i}">{html.escape(c.text(self.values[c.name]))}</output></span>'
            )
        first = sum(start[i] * _stride(sizes, i) for i in range(len(sizes)))
        script = _template("static_twin.js").substitute(uid=uid) + "\n"
        live, live_kind = "", ""
        if self.live is not None:
            spec = self.live()
            live_kind = f' data-live="{html.escape(spec["kind"], quote=True)}"'
            live = (
                '<script type="application/json" class="bptt-live-data">'
                + json.dumps(spec, allow_nan=False).replace("</", "<\\/")
                + "</script>\n"
            )
        return _template("static_twin.html").substitute(
            uid=uid,
            live_kind=live_kind,
            live=live,
            controls="".join(controls_html),
            src="data:image/png;base64," + data["frames"][first],
            alt=html.escape(data["alts"][first], quote=True),
            caption=html.escape(self.caption),
            data=json.dumps(data).replace("</", "<\\/"),
            n=len(frames),
            script=script,
        )

    def fallback_html(self) -> str:
        """What a front end without the live widget shows (e.g. a reopened notebook without its
        widget state): a readable note instead of an error, and no frame computed."""
        labels = ", ".join(html.escape(c.label) for c in self.controls)
        return (
            '<div class="bptt-explorer-fallback" role="note"><p><strong>Interactive explorer</strong> '
            f"(controls: {labels}). It runs in this notebook's kernel: run this cell (Shift+Enter) to "
            "use it. The chapter's web page has the same explorer, computed in your browser.</p>"
            f"<p>{html.escape(self.caption)}</p></div>"
        )

    def _fallback_text(self) -> str:
        return (
            f"Interactive explorer ({', '.join(c.label for c in self.controls)}): run this cell with a "
            "kernel to use it."
        )

    # --- display ------------------------------------------------------------------------------------
    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {
            "text/plain": self._fallback_text(),
            "text/html": self.static_html() if static_twin_enabled() else self.fallback_html(),
        }
        try:
            live = self.widget()._repr_mimebundle_()
        except ImportError:
            live = None
        if isinstance(live, tuple):  # anywidget answers (data, metadata)
            live = live[0]
        if live:
            bundle.update({k: v for k, v in live.items() if k != "text/plain"})
        return bundle


def _to_wire(value):
    """numpy arrays (any float) as little-endian float64 bytes, which ipywidgets sends as binary
    buffers and the front end reads as Float64Array; numpy scalars as Python numbers."""
    import numpy as np

    if isinstance(value, np.ndarray):
        return memoryview(np.ascontiguousarray(value, dtype="<f8").ravel())
    if isinstance(value, dict):
        return {k: _to_wire(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_to_wire(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


_BROWSER_GLUE = """
// anywidget glue (rnnlib.course.widgets.BrowserWidget): the kernel computes, this draws.
function toArrays(v) {
  if (v instanceof DataView) return new Float64Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
  if (ArrayBuffer.isView(v)) return new Float64Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
  if (Array.isArray(v)) return v.map(toArrays);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toArrays(x)]));
  return v;
}
function render({ model, el }) {
  const spec = model.get('spec');
  let seq = 0;
  const sent = new Map();
  const live = mount(el, spec, (s, how) => {
    if (how !== 'input') return;  // a key press fires input and change: one move, one frame
    seq += 1;
    sent.set(seq, performance.now());
    model.set('settings', { ...s, seq });
    model.save_changes();
  });
  live.ui.root.setAttribute('aria-label', "Live explorer, computed by rnnlib in this notebook's kernel");
  const extra = toArrays(model.get('extra') ?? {});
  let first = true;
  const show = () => {
    const f = model.get('frame');
    if (!f || !f.data) return;
    const t0 = performance.now();
    live.render(first ? { ...extra, ...toArrays(f.data) } : toArrays(f.data), f.settings);
    first = false;
    const now = performance.now();
    el.dataset.drawMs = String(now - t0);
    const asked = sent.get(f.settings.seq);
    if (asked !== undefined) {
      el.dataset.latencyMs = String(now - asked);  // input event to redrawn figure, through the kernel
      sent.delete(f.settings.seq);
    }
    el.dataset.renders = String(Number(el.dataset.renders || 0) + 1);
  };
  model.on('change:frame', show);
  for (const [name, ctl] of Object.entries(live.controls)) {
    const value = (model.get('settings') ?? {})[name];
    if (value !== undefined) ctl.set(value);
  }
  show();
}
export default { render };
"""

_BROWSER_WIDGET = None


def browser_widget(spec: Callable[[], dict], frame: Callable[[dict], dict], extra: Callable[[], dict] | None = None):
    """A :class:`BrowserWidget`: controls and drawing in the browser (``explorer_draw.js``, the
    website's code), every frame computed by rnnlib in the kernel. Raises ImportError without anywidget."""
    global _BROWSER_WIDGET
    if _BROWSER_WIDGET is None:
        import anywidget
        import traitlets

        class BrowserWidget(anywidget.AnyWidget):
            """The explorer's JupyterLab front end (see :func:`browser_widget`)."""

            _esm = _template("explorer_draw.js").template + "\n" + _BROWSER_GLUE
            _css = (  # as book/_static/bptt/live.css lays out the website's explorers
                ".bptt-live .bptt-live-controls{display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;align-items:center}"
                ".bptt-live input[type=range]{width:12rem;vertical-align:middle}"
                ".bptt-live canvas{display:block;background:#fff}"
            )
            spec = traitlets.Dict().tag(sync=True)
            # No echo of the settings: one message back per move (the frame); an echo sent first would
            # make the frame wait for its TCP acknowledgement (Nagle; Jupyter's websockets keep it on).
            settings = traitlets.Dict().tag(sync=True, echo_update=False)
            frame = traitlets.Dict().tag(sync=True)
            extra = traitlets.Dict().tag(sync=True)

            def __init__(self, spec, frame, extra=None):
                self._frame_of = frame
                start = _initial_settings(spec)
                super().__init__(spec=spec, settings=start, extra=_to_wire(extra or {}))
                self.move(start)
                self.observe(lambda change: self.move(change["new"]), names="settings")

            def move(self, settings):
                """Compute the frame for ``settings`` (what one slider move costs in the kernel) and send it."""
                s = dict(settings)
                seq = s.pop("seq", None)
                self.frame = {"settings": {**s, "seq": seq}, "data": _to_wire(self._frame_of(s))}

        _BROWSER_WIDGET = BrowserWidget
    return _BROWSER_WIDGET(spec(), frame, extra() if extra else None)


def _initial_settings(spec: dict) -> dict:
    """The controls' starting values as explorer_draw.js reads them (first option, slider value)."""
    kind = spec["kind"]
    seeds = [str(s) for s in spec.get("seed_values", [])]
    if kind == "spectral":
        return {
            "scale": spec["scale"]["value"],
            "mode": spec["modes"][0],
            "activation": spec["activations"][0],
            "T": spec["T"],
            "seed": seeds[0],
        }
    if kind == "truncation":
        return {
            "k2": spec["k2"]["value"],
            "rho": spec["rho"]["value"],
            "activation": spec["activations"][0],
            "T": spec["T"],
            "seed": seeds[0],
        }
    if kind == "clipping":
        return {"mode": spec["mode"], "theta": spec["log10_threshold"]["value"]}
    if kind == "unrolling":
        return {"t": spec["t"]["value"], "activation": spec["activations"][0]}
    raise ValueError(f"spec kind must be spectral, truncation, clipping or unrolling; got {kind!r}")


def float64_base64(array) -> str:
    """The entries of ``array`` in C order as little-endian float64 bytes, base64-encoded: exact,
    and a third the size of decimal JSON (read by ``live.js`` into a ``Float64Array``)."""
    import numpy as np

    a = np.asarray(array, dtype=float)
    if not np.all(np.isfinite(a)):
        raise ValueError("array must be finite to be sent to the browser; got a non-finite entry")
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f8").tobytes()).decode("ascii")


def _stride(sizes, axis):
    stride = 1
    for s in sizes[axis + 1 :]:
        stride *= s
    return stride


def _template(name: str) -> string.Template:
    """A template of the static twin, a package data file in ``rnnlib/course/templates``."""
    text = resources.files("rnnlib.course").joinpath("templates", name).read_text(encoding="utf-8")
    return string.Template(text.rstrip("\n"))
