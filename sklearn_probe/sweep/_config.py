"""What a sweep was asked for: one frozen object that every stage reads.

:class:`SweepConfig` holds the arguments of :func:`~sklearn_probe.layer_sweep`
other than the data, as given (``validate_params`` checked their types), with
the task and unit resolved into their objects where a stage needs them. The
stages take it whole instead of re-threading keyword arguments.
"""

from dataclasses import dataclass, fields

from ._kinds import unit_spec


@dataclass(frozen=True, kw_only=True)
class SweepConfig:
    """The arguments of one :func:`~sklearn_probe.layer_sweep` call but the
    texts and labels (see its docstring for each)."""

    model: object = "minilm"
    layers: object = "all"
    pooling: object = "auto"
    tokens: object = "all"
    probe: object = None
    param_grid: dict | None = None
    cv: object = 5
    scoring: object = None
    test: object = None
    max_length: int | None = None
    batch_size: int = 32
    device: str = "auto"
    cache_dir: object = "auto"
    n_jobs: int | None = None
    random_state: int | None = 0
    verbose: int = 1
    baselines: object = ()
    mdl: bool = False
    repeats: int = 1
    trust_remote_code: bool = False
    unit: str = "text"
    task: str = "auto"

    @classmethod
    def from_arguments(cls, arguments):
        """The configuration of ``arguments`` (a ``layer_sweep`` call's
        ``locals()``: its texts and labels are left out)."""
        return cls(**{f.name: arguments[f.name] for f in fields(cls)})

    @property
    def unit_spec(self):
        return unit_spec(self.unit)

    @property
    def hidden_params(self):
        """The ``hidden`` step's parameters that the sweep passes on."""
        names = ("max_length", "batch_size", "device", "cache_dir", "verbose")
        names += ("trust_remote_code",)
        params = {name: getattr(self, name) for name in names}
        if self.base_tokens != "all":  # words have no token selection
            params["tokens"] = self.base_tokens
        return params

    @property
    def token_selections(self):
        """The token selections asked for, each once, in order."""
        tokens = [self.tokens] if isinstance(self.tokens, str) else self.tokens
        return list(dict.fromkeys(tokens))

    @property
    def base_tokens(self):
        """The ``hidden`` step's own selection: the first asked for (a grid
        over ``hidden__tokens`` sweeps the others)."""
        return self.token_selections[0]

    def __post_init__(self):
        selections = self.token_selections
        if not selections or not all(isinstance(t, str) for t in selections):
            raise ValueError(
                "tokens must be a string or a non-empty list of strings, e.g. "
                f"tokens=['all', 'last']; got {self.tokens!r}."
            )
        if self.unit != "text" and selections != ["all"]:
            raise ValueError(
                f"tokens={self.tokens!r} selects tokens of texts; unit={self.unit!r} "
                "samples choose their words and spans themselves. Use tokens='all'."
            )
