"""Pictures of embeddings and probe scores.

- :class:`LayerScoresDisplay`: cross-validated probe score by layer, with the
  fold spread, the chance level and the best layer marked.
- :class:`LayerEmbeddingsDisplay`: t-SNE (or PCA) of the pooled vectors of
  several layers side by side, coloured by label, one shared legend.
- :class:`ModelComparisonDisplay`: several models' scores by layer (or by
  relative depth) on the same folds, each model's best layer marked.
- :func:`plot_causal_sweep` and :func:`plot_neuron_curve`: a causal sweep's
  effect by layer beside its random control's band, and the top-k / random-k
  curve of single units (``_causal``).
- :func:`plot_tsne`: t-SNE of one set of embeddings on one axes.
- :data:`PROJECTION_NOTE`: what a 2-D projection can and cannot show, and
  :func:`describe_projection`: what a display projected, in a sentence.

matplotlib is imported inside the functions, so ``import sklearn_probe`` stays
fast and does not touch the matplotlib backend. Nothing here calls
``plt.show()``: the caller decides how to display or save a figure. Only
``LayerEmbeddingsDisplay.from_estimator`` and ``from_sweep`` run a model, for
texts the cache has not seen; everything else takes vectors or scores.
"""

from ._causal import plot_causal_sweep, plot_neuron_curve
from ._compare import ModelComparisonDisplay
from ._embeddings import LayerEmbeddingsDisplay
from ._projection import PROJECTION_NOTE, describe_projection, projection_file_stem
from ._scores import LayerScoresDisplay
from ._style import OKABE_ITO
from ._tsne import plot_tsne

__all__ = [
    "LayerEmbeddingsDisplay",
    "LayerScoresDisplay",
    "ModelComparisonDisplay",
    "OKABE_ITO",
    "PROJECTION_NOTE",
    "describe_projection",
    "plot_causal_sweep",
    "plot_neuron_curve",
    "plot_tsne",
    "projection_file_stem",
]
