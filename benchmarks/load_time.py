"""What a model's fingerprint costs at load time: tensors in memory vs weight files.

    python benchmarks/load_time.py [--model minilm] [--repeats 3]

Loads ``model`` once on the CPU, then times (best of ``--repeats``):

- ``tensors``: hashing every tensor in memory, as every load did before the
  fingerprint came from the checkpoint's files;
- ``files, first``: reading and hashing the weight files (no record yet);
- ``files, recorded``: a new process's cost, the digest read from its record;
- ``files, this process``: a later load in the same process.

Nothing is asserted: the numbers are for the README and the closing note.
"""

import argparse
import hashlib
import os
import tempfile
import time


def best_of(repeats, function):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        function()
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="minilm")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as digests:
        os.environ["SKLEARN_PROBE_DIGEST_DIR"] = digests
        from sklearn_probe.hidden import _fingerprint
        from sklearn_probe.hidden._models import _weight_files, load_model

        t = time.perf_counter()
        loaded = load_model(args.model, "cpu")
        _ = loaded.model  # the weights are read when first asked for
        load_s = time.perf_counter() - t
        folder = _weight_files(loaded.source)

        def cold():
            _fingerprint._DIGESTS.clear()
            for name in os.listdir(digests):
                os.remove(os.path.join(digests, name))
            _fingerprint.weight_file_digests(folder)

        def recorded():
            _fingerprint._DIGESTS.clear()
            _fingerprint.weight_file_digests(folder)

        rows = {
            "tensors": lambda: _fingerprint._hash_tensors(
                hashlib.blake2b(), loaded.model
            ),
            "files, first": cold,
            "files, recorded": recorded,
            "files, this process": lambda: _fingerprint.weight_file_digests(folder),
        }
        print(f"model {args.model!r}: load_model {load_s:.2f} s (first load)")
        for name, function in rows.items():
            print(
                f"  fingerprint of the weights, {name:<20} "
                f"{best_of(args.repeats, function) * 1000:9.1f} ms"
            )


if __name__ == "__main__":
    main()
