import numpy as np
import pytest
import torch
from numpy.testing import assert_array_equal
from skorch.dataset import Dataset

from sklearn_probe import ProbeClassifier
from sklearn_probe.probe._batches import ArrayBatchLoader


def _dataset(n=25):
    X = np.arange(2 * n, dtype=np.float32).reshape(n, 2)
    return Dataset(X, np.arange(n))


def test_every_row_once_per_epoch_in_a_new_order():
    loader = ArrayBatchLoader(
        _dataset(),
        batch_size=7,
        shuffle=True,
        generator=torch.Generator().manual_seed(0),
    )
    assert len(loader) == 4
    epochs = []
    for _ in range(3):
        batches = list(loader)
        assert [len(y) for _, y in batches] == [7, 7, 7, 4]
        X = torch.cat([X for X, _ in batches]).numpy()
        y = torch.cat([y for _, y in batches]).numpy()
        assert_array_equal(X[:, 0], 2 * y)  # rows keep their labels
        assert sorted(y) == list(range(25))
        epochs.append(y)
    assert not np.array_equal(epochs[0], epochs[1])
    assert not np.array_equal(epochs[1], epochs[2])


def test_seeded_orders_repeat():
    def orders(seed):
        gen = torch.Generator().manual_seed(seed)
        loader = ArrayBatchLoader(_dataset(), batch_size=5, shuffle=True, generator=gen)
        return [y.tolist() for _ in range(2) for _, y in loader]

    assert orders(1) == orders(1)
    assert orders(1) != orders(2)


def test_unshuffled_keeps_order_and_predicting_has_no_labels():
    X = np.random.RandomState(0).normal(size=(10, 3)).astype(np.float32)
    batches = list(ArrayBatchLoader(Dataset(X, None), batch_size=4))
    assert [b[1] for b in batches] == [None, None, None]
    assert_array_equal(torch.cat([b[0] for b in batches]).numpy(), X)


def test_training_batches_share_memory_with_the_array():
    X = np.zeros((6, 2), dtype=np.float32)
    loader = ArrayBatchLoader(Dataset(X, np.zeros(6, dtype=np.int64)), batch_size=6)
    X[0, 0] = 5.0  # the loader holds a view, not a copy
    assert next(iter(loader))[0][0, 0] == 5.0


def test_other_datasets_are_refused_with_a_clear_error():
    with pytest.raises(TypeError, match="one array X"):
        ArrayBatchLoader(torch.utils.data.TensorDataset(torch.zeros(3, 2)))


def test_probe_trains_and_predicts_through_the_loader():
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1], 150)
    X = rng.normal(size=(300, 8)) + 1.5 * y[:, None]
    probe = ProbeClassifier((8,), tol=1e-3, random_state=0, device="cpu").fit(X, y)
    net = probe.net_
    assert net.iterator_train is ArrayBatchLoader
    assert net.iterator_valid is ArrayBatchLoader
    assert probe.score(X, y) > 0.95
    # 300 rows predicted in batches of 128 come back in input order.
    assert_array_equal(probe.predict(X[::-1]), probe.predict(X)[::-1])
