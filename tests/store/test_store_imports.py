"""The store is a leaf: it works with torch and transformers unimportable."""

import subprocess
import sys
import textwrap


def test_the_store_imports_and_works_without_torch_or_transformers(tmp_path):
    script = textwrap.dedent(
        f"""
        import sys
        # scikit-learn first: scipy's array-API helpers, run at its import,
        # take a None in sys.modules for a module object.
        import sklearn.base
        sys.modules["torch"] = None
        sys.modules["transformers"] = None
        import numpy as np
        from sklearn_probe.store import Store, extraction_key, open_store, text_digest

        key, description = extraction_key(
            fingerprint="m", pooling="mean", max_length=8
        )
        rows = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
        store = open_store({str(tmp_path)!r}, key, description, (3, 4))
        assert isinstance(store, Store)
        store.write([text_digest("a"), text_digest("b")], rows)
        fresh = Store(store.fs, store.root, key, store.meta, mode="read-only")
        found, values = fresh.fetch([text_digest("b"), text_digest("c")])
        assert found.tolist() == [True, False], found
        np.testing.assert_array_equal(values[0], rows[1])
        assert "torch" not in [m for m, v in sys.modules.items() if v is not None]
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.stdout.strip() == "ok", done.stderr[-2000:]
