"""Which file format for a shard of the vector store: read times, by measurement.

A shard holds ``rows x layers x width`` vectors. Three candidates, each written
once and read back (best of ``--repeats``), locally and from an S3 endpoint
(moto's server in this process, read with s3fs):

- ``shard``: the store's own format (``sklearn_probe/hidden/_shard.py``): a
  header, the text hashes, then the vectors row-major; read whole (locally a
  memory map), checksum verified on the first read;
- ``npy``: ``numpy.save`` of the array (locally ``mmap_mode="r"``);
- ``parquet``: one Parquet column of fixed-size binary per layer (pyarrow, no
  compression), so that one layer reads ``1 / layers`` of the bytes.

Two reads: every layer of every row (what a layer sweep's cache fill does),
and one layer of every row (a transform at one layer). Prints a Markdown table
of milliseconds and bytes read.

    .venv/bin/python benchmarks/shard_format.py --rows 10000 --layers 7 --width 384
"""

import argparse
import io
import os
import tempfile
import time

import numpy as np


def _best(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times) * 1000, out


def _formats(vectors):
    """Name -> (bytes of the file, read_all(reader), read_layer(reader, layer))."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from sklearn_probe.store import _shard

    rows, layers, width = vectors.shape
    digests = [i.to_bytes(16, "little") for i in range(rows)]
    shard_bytes = _shard.encode("k" * 40, digests, vectors, "float32")
    head = _shard.parse_header(
        shard_bytes[: _shard.header_size(shard_bytes[:16])],
        {"layers": layers, "width": width, "storage": "float32"},
        key="k" * 40,
        size=len(shard_bytes),
    )

    verified = []

    def shard_view(buffer):
        # The store checks a shard's checksum on its first read in a process.
        view = _shard.vectors_view(
            buffer, head, {"layers": layers, "width": width, "storage": "float32"}
        )
        if not verified:
            _shard.check_vectors(view, head)
            verified.append(True)
        return view

    npy = io.BytesIO()
    np.save(npy, vectors)
    table = pa.table(
        {
            f"layer_{i}": pa.FixedSizeBinaryArray.from_buffers(
                pa.binary(width * 4),
                rows,
                [None, pa.py_buffer(np.ascontiguousarray(vectors[:, i]).tobytes())],
            )
            for i in range(layers)
        }
    )
    parquet = io.BytesIO()
    pq.write_table(table, parquet, compression="none", use_dictionary=False)

    def parquet_layers(source, names):
        got = pq.read_table(source, columns=names)
        return np.stack(
            [
                np.frombuffer(
                    got.column(n).combine_chunks().buffers()[1], np.float32
                ).reshape(rows, width)
                for n in names
            ],
            axis=1,
        )

    return {
        "shard": (
            shard_bytes,
            lambda read: np.array(shard_view(read())),
            lambda read, i: np.array(shard_view(read())[:, i]),
        ),
        "npy": (
            npy.getvalue(),
            lambda read: np.array(_load_npy(read())),
            lambda read, i: np.array(_load_npy(read())[:, i]),
        ),
        "parquet": (
            parquet.getvalue(),
            lambda read: parquet_layers(read(), [f"layer_{j}" for j in range(layers)]),
            lambda read, i: parquet_layers(read(), [f"layer_{i}"]),
        ),
    }


def _load_npy(source):
    """A memory map of a local file, the whole array from a stream."""
    return np.load(source, mmap_mode="r" if isinstance(source, str) else None)


def _local_reader(path, name):
    import mmap

    if name == "shard":

        def read():
            with open(path, "rb") as f:
                return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)

        return read
    return lambda: path


def _s3_reader(fs, url, name):
    if name == "parquet":
        return lambda: fs.open(url, "rb", cache_type="none")  # ranged reads
    return lambda: io.BytesIO(fs.cat_file(url)) if name == "npy" else fs.cat_file(url)


def _s3():
    import logging

    import fsspec
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    os.environ.update(AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x")
    os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
    fs = fsspec.filesystem(
        "s3",
        skip_instance_cache=True,
        client_kwargs={"endpoint_url": f"http://{host}:{port}"},
    )
    fs.mkdir("shards")
    return server, fs


def _time_reads(read_all, read_one, read, vectors, args):
    """Milliseconds to read every layer, then the middle layer, checked."""
    middle = vectors.shape[1] // 2
    ms_all, got = _best(lambda: read_all(read), args.repeats)
    np.testing.assert_array_equal(got, vectors)
    ms_one, got = _best(lambda: read_one(read, middle), args.repeats)
    np.testing.assert_array_equal(got.reshape(len(vectors), -1), vectors[:, middle])
    return [f"{ms_all:.0f}", f"{ms_one:.0f}"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--layers", type=int, default=7)
    parser.add_argument("--width", type=int, default=384)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((args.rows, args.layers, args.width), np.float32)
    print(
        f"{args.rows} rows x {args.layers} layers x {args.width} float32 "
        f"({vectors.nbytes / 1e6:.0f} MB); best of {args.repeats}, ms\n"
    )
    print(
        "| format | file MB | local, all layers | local, one layer "
        "| S3, all layers | S3, one layer |"
    )
    print("|---|---|---|---|---|---|")
    server, fs = _s3()
    try:
        with tempfile.TemporaryDirectory() as folder:
            for name, (data, read_all, read_one) in _formats(vectors).items():
                path = os.path.join(folder, name)
                with open(path, "wb") as f:
                    f.write(data)
                url = f"shards/{name}"
                fs.pipe_file(url, data)
                cells = []
                for read in (_local_reader(path, name), _s3_reader(fs, url, name)):
                    cells += _time_reads(read_all, read_one, read, vectors, args)
                print(f"| {name} | {len(data) / 1e6:.0f} | " + " | ".join(cells) + " |")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
