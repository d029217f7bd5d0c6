"""Both sizes of a recurrent matrix, side by side: ρ(W_s) and σ_max(W_s) (chapter 6's lesson).

Chapter 6 shows that the spectral radius ρ(W_s) = max |λ_i| and the largest singular value
σ_max(W_s) = ‖W_s‖₂ tell different stories: ρ sets the long-run rate of ‖W_s^n‖ (Gelfand's
formula), σ_max bounds every single step (Pascanu et al., 2013). For an orthogonal matrix times a
scale, or a multiple of the identity, the two coincide; for a Gaussian matrix σ_max is about twice
ρ. So wherever a chapter sets a recurrent scale it shows the reader both, with
:func:`scale_readout`.
"""

from __future__ import annotations

from .. import initialisation

__all__ = ["scale_readout"]


def scale_readout(W, name: str = "W_s", digits: int = 2) -> str:
    """``"ρ(W_s) = 0.46, σ_max(W_s) = 0.80"`` for a square matrix W (H, H).

    Parameters
    ----------
    W : array (H, H)
        The recurrent matrix.
    name : str
        How the text names the matrix.
    digits : int
        Decimal places, 0 to 12.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty string; got {name!r}")
    if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits <= 12:
        raise ValueError(f"digits must be an integer from 0 to 12; got {digits!r}")
    rho = initialisation.spectral_radius(W)
    sigma = initialisation.sigma_max(W)
    return f"ρ({name}) = {rho:.{digits}f}, σ_max({name}) = {sigma:.{digits}f}"
