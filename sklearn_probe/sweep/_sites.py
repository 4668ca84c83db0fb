"""Sites in a sweep: which sites it reads, and which layers each site has.

A sweep reads sites through its grid (``param_grid={"hidden__site": [...]}``);
every site of every layer comes from the one forward pass of the warm stage
(:func:`~sklearn_probe.hidden.cache_readings`). A sublayer site (attention,
MLP, mid stream, heads) has no layer 0, the embedding output: ``layers="all"``
sweeps it from layer 1 (:func:`drop_layer_zero`), and an explicit layer 0 is an
error before any text runs (:func:`check_site_layers`).
"""

from ..hidden import SITES

SITE_PARAM = "hidden__site"


def sweep_sites(hidden, grid):
    """The sites a sweep reads: its grid's, or the ``hidden`` step's own."""
    return list(dict.fromkeys(grid.get(SITE_PARAM, [hidden.site])))


def sweep_tokens(hidden, grid):
    """The token selections a sweep reads: its grid's, or the ``hidden`` step's
    own (every one from the warm stage's one pass, :mod:`sklearn_probe.hidden`'s
    ``_token_pass``)."""
    return list(dict.fromkeys(grid.get("hidden__tokens", [hidden.tokens])))


def check_site_layers(layers_param, layers, sites):
    """An explicit layer 0 with a sublayer site is an error that says so."""
    unknown = [s for s in sites if s not in SITES]
    if unknown:
        raise ValueError(
            f"param_grid[{SITE_PARAM!r}] has {unknown}; the sites are {list(SITES)}."
        )
    sublayer = [s for s in sites if s != "residual"]
    if sublayer and layers_param != "all" and 0 in layers:
        raise ValueError(
            f"layers={layers_param!r} asks for layer 0, the embedding output, "
            f"which the site(s) {sublayer} do not have (a sublayer site's layer L "
            "is read inside block L, 1 to the last). Leave layer 0 out, or use "
            "layers='all', which sweeps the residual stream from 0 and the other "
            "sites from 1."
        )


def drop_layer_zero(candidates, rows):
    """The candidates (and their rows) without layer 0 of a sublayer site."""
    keep = [
        i
        for i, params in enumerate(candidates)
        if not (
            params["hidden__layer"][0] == 0
            and params.get(SITE_PARAM, ["residual"])[0] != "residual"
        )
    ]
    return [candidates[i] for i in keep], [rows[i] for i in keep]


def described_sites(sites):
    """What the settings record: one site, or the list of them."""
    return sites if len(sites) > 1 else sites[0]
