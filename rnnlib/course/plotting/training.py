"""Figures of training outcomes (chapter 8, usable wherever a model is trained).

One function per kind of figure:

- :func:`loss_curves`: training loss against the update, one curve per run (smoothed by a moving
  average), with a horizontal line for the loss of a trivial predictor to beat;
- :func:`success_vs_gap`: a success rate (or accuracy) against the length of the gap a network
  must bridge, one line per model, with the chance level;
- :func:`outcome_dots`: one final score per run (each seed a dot) for several settings side by side,
  diverged runs marked with a cross.

Every function draws into ``ax`` when given one and otherwise makes a new figure in the course
style; it returns the figure. The numbers come from :func:`rnnlib.train` (``History.loss``) and
:func:`rnnlib.evaluate`.
"""

from __future__ import annotations

import numpy as np

from . import CYCLE, PALETTE, figure, figure_for, finish_axes


def moving_average(values, window) -> np.ndarray:
    """The mean of each run of ``window`` consecutive values, shape (len(values) − window + 1,).

    ``window = 1`` returns the values unchanged (as floats).
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(f"values must be one-dimensional; got shape {values.shape}")
    if not isinstance(window, (int, np.integer)) or window < 1 or window > len(values):
        raise ValueError(f"window must be an integer in [1, len(values)] = [1, {len(values)}]; got {window!r}")
    kernel = np.ones(int(window)) / window
    return np.convolve(values, kernel, mode="valid")


def loss_curves(
    curves,
    *,
    baseline=None,
    baseline_label="baseline",
    window=1,
    ax=None,
    logy=False,
    xlabel="update",
    ylabel="training loss",
    title=None,
    figsize=(7.0, 3.6),
):
    """Training loss against the update, one colour per setting, one line per run.

    Parameters
    ----------
    curves : dict label -> list of arrays
        For each setting, the per-update losses of its runs (``History.loss``); runs of the same
        setting share a colour and the label is shown once.
    baseline : float or dict label -> float, optional
        The loss of a trivial predictor, drawn as a dashed black line; a dict draws several
        (e.g. the adding problem's "always 1" and "u₂ + 0.5"), each with its own dash pattern.
    window : int
        Moving-average window applied to each curve (minibatch losses are noisy); the curve is
        drawn against the update at the end of each window.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Figure
    """
    fig, ax = figure_for(ax, figsize)
    for i, (label, runs) in enumerate(dict(curves).items()):
        colour = CYCLE[i % len(CYCLE)]
        for j, run in enumerate(runs):
            smooth = moving_average(run, min(window, len(run)))
            steps = np.arange(len(run) - len(smooth) + 1, len(run) + 1)
            ax.plot(
                steps,
                smooth,
                color=colour,
                lw=1.6,
                alpha=0.9 if j == 0 else 0.6,
                ls="-" if j == 0 else (0, (4, 1.5)),
                label=label if j == 0 else None,
            )
    if baseline is not None:
        lines = baseline if isinstance(baseline, dict) else {baseline_label: baseline}
        for k, (label, value) in enumerate(lines.items()):
            ax.axhline(value, color=PALETTE["black"], ls=("--", ":", "-.")[k % 3], lw=1.2, label=label)
    if logy:
        ax.set_yscale("log")
    finish_axes(ax, xlabel, ylabel, title)
    return fig


def success_vs_gap(
    gaps,
    rates,
    *,
    chance=None,
    chance_label="chance",
    ax=None,
    xlabel="gap (blank steps)",
    ylabel="success rate",
    title=None,
    ylim=(-0.05, 1.05),
    logy=False,
    figsize=(6.4, 3.6),
):
    """A rate in [0, 1] against the gap, one line with markers per model.

    With ``ylim=None, logy=True`` it draws any positive quantity against the gap on a log scale
    (e.g. the fraction of the gradient that reaches the first step).

    Parameters
    ----------
    gaps : array, shape (G,)
    rates : dict label -> array (G,)
    chance : float, optional
        Drawn as a dashed black line (e.g. 1/n_symbols for an accuracy).

    Returns
    -------
    matplotlib Figure
    """
    fig, ax = figure_for(ax, figsize)
    gaps = np.asarray(gaps)
    markers = "osD^v"
    for i, (label, values) in enumerate(dict(rates).items()):
        values = np.asarray(values, dtype=np.float64)
        if values.shape != gaps.shape:
            raise ValueError(f"rates[{label!r}] must have the shape of gaps {gaps.shape}; got {values.shape}")
        ax.plot(gaps, values, marker=markers[i % len(markers)], color=CYCLE[i % len(CYCLE)], lw=2, label=label)
    if chance is not None:
        ax.axhline(chance, color=PALETTE["black"], ls="--", lw=1.2, label=chance_label)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if ylim is not None:
        ax.set_ylim(*ylim)
    if title:
        ax.set_title(title)
    ax.legend(loc="best", frameon=False)
    return fig


def outcome_dots(
    scores,
    *,
    chance=None,
    chance_label="chance",
    ax=None,
    ylabel="test accuracy",
    title=None,
    ylim=(-0.05, 1.05),
    figsize=(7.6, 3.8),
):
    """One score per run for several settings side by side; a run whose score is NaN (diverged)
    is drawn as a cross at the bottom of the axis.

    Parameters
    ----------
    scores : dict label -> array (n_runs,)
        The final score of each run of each setting (NaN for a run that diverged). Labels may
        contain newlines to fit under the axis.

    Returns
    -------
    matplotlib Figure
    """
    fig, ax = figure_for(ax, figsize)
    scores = dict(scores)
    floor = ylim[0] + 0.03 if ylim is not None else 0.0
    diverged_shown = False
    for i, values in enumerate(scores.values()):
        values = np.asarray(values, dtype=np.float64)
        offsets = np.linspace(-0.15, 0.15, len(values)) if len(values) > 1 else np.zeros(1)
        ok = np.isfinite(values)
        colour = CYCLE[i % len(CYCLE)]
        ax.plot(i + offsets[ok], values[ok], "o", color=colour, ms=8, alpha=0.85)
        if np.any(~ok):
            ax.plot(
                i + offsets[~ok],
                np.full(np.sum(~ok), floor),
                "x",
                color=PALETTE["vermillion"],
                ms=10,
                mew=2.5,
                label=None if diverged_shown else "diverged",
            )
            diverged_shown = True
    if chance is not None:
        ax.axhline(chance, color=PALETTE["black"], ls="--", lw=1.2, label=chance_label)
    ax.set_xticks(range(len(scores)))
    ax.set_xticklabels(list(scores), fontsize=9)
    ax.set_xlim(-0.6, len(scores) - 0.4)
    ax.grid(axis="x", visible=False)
    ax.set_ylabel(ylabel)
    if ylim is not None:
        ax.set_ylim(*ylim)
    if title:
        ax.set_title(title)
    if chance is not None or diverged_shown:
        ax.legend(loc="best", frameon=False)
    return fig


def traces_against_update(panels, *, log=(), xlabel="update", figsize=None):
    """Several quantities recorded during training, one panel each, against the update number.

    Parameters
    ----------
    panels : dict title -> dict label -> (updates, values)
        For each panel (e.g. "ρ(W_s)"), one line per run: the updates at which the quantity was
        recorded and its values there (arrays of equal length).
    log : collection of str
        Titles of the panels drawn on a log scale (e.g. a gradient norm).

    Returns
    -------
    matplotlib Figure
    """
    panels = dict(panels)
    if not panels:
        raise ValueError("panels must map at least one title to its lines; got nothing")
    fig, axes = figure(1, len(panels), figsize=figsize or (3.2 * len(panels), 3.0), squeeze=False)
    for ax, (title, lines) in zip(axes[0], panels.items()):
        for i, (label, (updates, values)) in enumerate(dict(lines).items()):
            updates, values = np.asarray(updates), np.asarray(values, dtype=np.float64)
            if updates.shape != values.shape:
                raise ValueError(
                    f"panel {title!r}, line {label!r}: updates and values must have the same shape; "
                    f"got {updates.shape} and {values.shape}"
                )
            ax.plot(updates, values, color=CYCLE[i % len(CYCLE)], lw=1.6, label=label)
        if title in log:
            ax.set_yscale("log")
        finish_axes(ax, xlabel, title, None, legend=ax is axes[0][0])
    return fig
