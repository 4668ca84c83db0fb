"""The causal sweep: erase the probed property at each layer, see what changes.

:func:`causal_sweep` takes the folds a layer sweep uses (the same ``cv`` and
``random_state`` give the same splits) and, for every layer ``L`` and fold:

1. fits an eraser of the labels (LEACE, :class:`ConceptEraser`; or the probe's
   direction) on the training fold's pooled vectors at ``L``;
2. runs the model with that erasure at ``L`` (:func:`intervene`, every token
   position unless ``positions`` says otherwise) and measures, on the
   validation fold,

   - *amnesic probing* (Elazar et al. 2021): a probe fitted on the training
     fold's vectors of a later layer of the edited run, scored on the
     validation fold's: does the property come back after ``L``?
   - the model's *behaviour* (a function the caller gives, e.g. agreement
     accuracy of a language model, accuracy of a classification head);

3. does the same with ``n_controls`` random subspaces of the eraser's rank
   (orthogonal projections around the same mean): the control of the same
   size, whose spread over draws is the band an effect must leave.

The result is a :class:`CausalSweepResult` (``_sweep_result``; the arguments
are checked and resolved in ``_sweep_inputs``); :mod:`sklearn_probe.report` writes
it (``write_causal_report``) and :mod:`sklearn_probe.plotting` draws it
(``plot_causal_sweep``).

It is a function of its own, not an option of :func:`~sklearn_probe.layer_sweep`:
the layer sweep works from cached vectors of a bare model and never runs it
twice, while this runs the model (with its head) once per layer, fold and
control with a hook in place, and scores a behaviour only the caller can
define. Passing the sweep's ``cv`` and ``random_state`` puts both on the same
folds, and ``probe_score`` here is the sweep's ``cv_score_mean`` for the
same probe.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import clone

from ._erasure import ConceptEraser
from ._interventions import erase, intervene, random_directions, transformer_blocks
from ._states import pooled_states, resolve_pooling, token_ids
from ._sweep_inputs import (
    check_data,
    check_measure,
    default_probe,
    draw_folds,
    probe_chance,
    probed_layers,
    resolve_layers,
    resolve_model,
)
from ._sweep_result import CausalSweepResult


def causal_sweep(
    model,
    texts,
    labels,
    *,
    tokenizer=None,
    layers="all",
    behaviour=None,
    probe=None,
    eraser=None,
    amnesic_layers="later",
    cv=5,
    n_controls=5,
    pooling="auto",
    positions=None,
    max_length=128,
    batch_size=64,
    random_state=0,
):
    """Erase the labels' property at each layer; the change, beside a control.

    Read more in the user guide ("Does the model use it?").

    Parameters
    ----------
    model : transformers.PreTrainedModel or str
        The model, with the head whose behaviour is measured (any head works
        for amnesic probing). A name or folder is loaded as
        :class:`~sklearn_probe.HiddenStateTransformer` loads it (the bare
        model, so amnesic probing only).
    texts : sequence of str
        The texts; the folds are drawn from them.
    labels : array-like of shape (n_texts,)
        Their classes (the property to erase).
    tokenizer : tokenizer, default=None
        Needed with a model object; a name or folder brings its own.
    layers : "all", int or sequence of int, default="all"
        Hidden states to erase at (0 is the embedding output; negative values
        count from the end).
    behaviour : callable, default=None
        ``behaviour(model, rows) -> float``, higher meaning the model does its
        job better (e.g. agreement accuracy, the logit difference towards the
        right token, a classification head's accuracy), on the texts
        ``rows`` (indices into ``texts``: a validation fold); called with the
        erasure in place. None: the effect is the drop of amnesic probing at
        the last probed layer.
    probe : classifier, default=None
        Refitted on every fold and layer. None is
        ``ProbeClassifier(random_state=random_state)``, the sweep's default.
    eraser : ConceptEraser, "probe" or None, default=None
        Fitted on each training fold's vectors of the erased layer. None is
        ``ConceptEraser()`` (LEACE). ``"probe"`` projects out the fitted
        probe's direction(s) (its ``coef_`` rows) around the fold's mean.
    amnesic_layers : {"later", "last"}, sequence of int or None, default="later"
        Layers probed after each erasure: every swept layer at or after the
        erased one, the last hidden state only, those given (at or after the
        erased layer), or none (only the behaviour is measured; then only the
        validation folds are run).
    cv : int or cross-validation generator, default=5
        An int is ``StratifiedKFold(cv, shuffle=True,
        random_state=random_state)``: the folds of
        :func:`~sklearn_probe.layer_sweep` with the same arguments.
    n_controls : int, default=5
        Random subspaces of the eraser's rank per layer and fold (draw ``d``
        of layer ``L`` on fold ``f`` is ``random_directions(width, rank,
        random_state=control_seed(random_state, L, f, d))``).
    pooling : {"auto", "mean", "cls", "max", "last"}, default="auto"
        How tokens become the vectors the eraser and the probes are fitted
        on; ``"auto"`` is ``"last"`` for a causal model, ``"mean"`` otherwise.
    positions : int, sequence of int or None, default=None
        Token positions the erasure edits (None: all; ``-1``: the last).
    max_length : int, default=128
        Tokens per text at most.
    batch_size : int, default=64
        Texts per forward pass.
    random_state : int, default=0
        Seeds the folds, the default probe and the control subspaces.

    Returns
    -------
    CausalSweepResult
    """
    model, tokenizer = resolve_model(model, tokenizer)
    texts, y = check_data(texts, labels)
    n_blocks = len(transformer_blocks(model))
    erased_layers = resolve_layers(layers, n_blocks)
    folds = draw_folds(cv, y, random_state)
    pooling = resolve_pooling(model, pooling)
    probe = default_probe(probe, random_state)
    ids = token_ids(tokenizer, texts, max_length)
    run = _Run(
        model=model,
        ids=ids,
        y=y,
        folds=folds,
        pooling=pooling,
        probe=probe,
        eraser=eraser,
        behaviour=behaviour,
        positions=positions,
        batch_size=batch_size,
        random_state=random_state,
        n_controls=n_controls,
    )
    plain = pooled_states(model, ids, pooling, batch_size=batch_size)
    probed = probed_layers(amnesic_layers, erased_layers, n_blocks)
    check_measure(behaviour, erased_layers, probed)
    rows, amnesic_rows, fold_effects, measure, before = [], [], [], None, None
    for layer in erased_layers:
        later = [p for p in probed if p >= layer]
        outcome = run.layer(plain, layer, later)
        measure, before = outcome["measure"], outcome["before"]
        rows.append(outcome["row"])
        amnesic_rows += outcome["amnesic"]
        fold_effects.append(outcome["fold_effects"])
    return CausalSweepResult(
        scores=_ranked(pd.DataFrame(rows)),
        amnesic=pd.DataFrame(amnesic_rows, columns=_AMNESIC_COLUMNS),
        measure=measure,
        before=before,
        chance=probe_chance(y, folds),
        n_splits=len(folds),
        n_controls=n_controls,
        pooling=pooling,
        settings={
            "layers": erased_layers,
            "amnesic_layers": probed,
            "eraser": "LEACE" if eraser is None else str(eraser),
            "probe": str(probe),
            "positions": positions,
            "random_state": random_state,
            "n_texts": len(texts),
        },
        fold_effects=np.asarray(fold_effects),
    )


_AMNESIC_COLUMNS = [
    "erased_layer",
    "probed_layer",
    "plain",
    "score",
    "control_mean",
    "control_low",
    "control_high",
]


def control_seed(random_state, layer, fold, draw):
    """The seed of control draw ``draw`` at ``layer`` on fold ``fold``.

    A hand loop that draws its random subspaces with these seeds reproduces
    the controls of :func:`causal_sweep` (and of :func:`steering_curve`,
    fold 0).

    Parameters
    ----------
    random_state : int
        The sweep's ``random_state``.
    layer : int
        The hidden state edited.
    fold : int
        The fold's index (0 for a function without folds).
    draw : int
        The control draw's index.

    Returns
    -------
    int
        A seed for ``numpy.random.default_rng`` or ``random_state=``.
    """
    sequence = np.random.SeedSequence([random_state, layer, fold, draw])
    return int(sequence.generate_state(1)[0])


@dataclass(kw_only=True)
class _Run:
    """What one causal sweep holds fixed; :meth:`layer` does one layer."""

    model: object
    ids: list
    y: np.ndarray
    folds: list
    pooling: str
    probe: object
    eraser: object
    behaviour: object
    positions: object
    batch_size: int
    random_state: int
    n_controls: int
    _cache: dict = field(default_factory=dict)

    def layer(self, plain, layer, later):
        """Effects of erasing at ``layer``: its table row and amnesic rows."""
        n_controls = self.n_controls
        probe_scores, effects, after = [], [], []
        controls = np.empty((len(self.folds), n_controls))
        controls_after = np.empty_like(controls)
        amnesic = np.full((len(self.folds), len(later)), np.nan)
        amnesic_controls = np.full((len(self.folds), len(later), n_controls), np.nan)
        plain_later = np.full((len(self.folds), len(later)), np.nan)
        befores, ranks = [], []
        for f, (train, test) in enumerate(self.folds):
            X = plain[:, layer]
            probe_scores.append(self._plain_score(plain, layer, f))
            plain_later[f] = [self._plain_score(plain, p, f) for p in later]
            edit, mean, rank = self._eraser_edit(X[train], self.y[train], train, test)
            ranks.append(rank)
            measured = self._measure(layer, edit, train, test, later)
            before = self._before(plain_later[f], f)
            befores.append(before)
            after.append(measured["value"])
            effects.append(before - measured["value"])
            amnesic[f] = measured["probes"]
            for d in range(n_controls):
                directions = random_directions(
                    X.shape[1],
                    rank,
                    random_state=control_seed(self.random_state, layer, f, d),
                )
                control = self._measure(
                    layer, erase(directions, mean=mean), train, test, later
                )
                controls[f, d] = before - control["value"]
                controls_after[f, d] = control["value"]
                amnesic_controls[f, :, d] = control["probes"]
        by_draw = controls.mean(axis=0)
        row = {
            "layer": layer,
            "probe_score": float(np.mean(probe_scores)),
            "rank": int(np.max(ranks)),
            "effect": float(np.mean(effects)),
            "control_mean": float(by_draw.mean()),
            "control_low": float(by_draw.min()),
            "control_high": float(by_draw.max()),
            "after": float(np.mean(after)),
            "control_after": float(controls_after.mean()),
        }
        if later:
            row["amnesic_score"] = float(amnesic[:, -1].mean())
            row["amnesic_control"] = float(amnesic_controls[:, -1].mean())
        return {
            "row": row,
            "amnesic": _amnesic_rows(
                layer, later, plain_later, amnesic, amnesic_controls
            ),
            "fold_effects": effects,
            "measure": self._measure_name(later),
            "before": float(np.mean(befores)),
        }

    def _measure_name(self, later):
        if self.behaviour is not None:
            return "behaviour"
        return f"probe at layer {later[-1]}"

    def _plain_score(self, plain, layer, f):
        """The probe's score on fold ``f`` of the unedited vectors (once)."""
        key = ("probe", layer, f)
        if key not in self._cache:
            train, test = self.folds[f]
            self._cache[key] = self._probe_score(plain[:, layer], train, test)
        return self._cache[key]

    def _probe_score(self, X, train, test):
        fitted = clone(self.probe).fit(X[train], self.y[train])
        return float(fitted.score(X[test], self.y[test]))

    def _eraser_edit(self, X, y, train, test):
        """The erasing edit fitted on the training fold, its centre and rank."""
        if isinstance(self.eraser, str) and self.eraser == "probe":
            fitted = clone(self.probe).fit(X, y)
            coef = getattr(fitted, "coef_", None)
            if coef is None:
                raise ValueError(
                    f"eraser='probe' needs a linear probe with coef_; "
                    f"{type(fitted).__name__} has none. Pass e.g. "
                    "probe=LogisticRegression(), or the default eraser (LEACE)."
                )
            directions = np.atleast_2d(coef)
            mean = X.mean(axis=0)
            return erase(directions, mean=mean), mean, directions.shape[0]
        eraser = ConceptEraser() if self.eraser is None else clone(self.eraser)
        eraser.fit(X, y)
        return erase(eraser), eraser.mean_, eraser.rank_

    def _measure(self, layer, edit, train, test, later):
        """Behaviour and later probes with ``edit`` at ``layer``."""
        probes = []
        value = None
        with intervene(self.model, layer, edit, positions=self.positions):
            if later:
                edited = pooled_states(
                    self.model, self.ids, self.pooling, batch_size=self.batch_size
                )
                probes = [self._probe_score(edited[:, p], train, test) for p in later]
            if self.behaviour is not None:
                value = float(self.behaviour(self.model, test))
        if value is None:
            value = probes[-1]
        return {"value": value, "probes": probes}

    def _before(self, plain_later, f):
        """The measure without erasure on fold ``f``."""
        if self.behaviour is None:
            return float(plain_later[-1])
        key = ("behaviour", f)
        if key not in self._cache:
            self._cache[key] = float(self.behaviour(self.model, self.folds[f][1]))
        return self._cache[key]


def _amnesic_rows(layer, later, plain_later, amnesic, controls):
    rows = []
    for j, probed in enumerate(later):
        by_draw = controls[:, j].mean(axis=0)
        rows.append(
            {
                "erased_layer": layer,
                "probed_layer": probed,
                "plain": float(plain_later[:, j].mean()),
                "score": float(amnesic[:, j].mean()),
                "control_mean": float(by_draw.mean()),
                "control_low": float(by_draw.min()),
                "control_high": float(by_draw.max()),
            }
        )
    return rows


def _ranked(scores):
    scores["rank_by_effect"] = (
        scores["effect"].rank(ascending=False, method="min").astype(int)
    )
    scores["rank_by_probe"] = (
        scores["probe_score"].rank(ascending=False, method="min").astype(int)
    )
    return scores
