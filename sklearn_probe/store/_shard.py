"""One shard of the vector store: a single file (or object) written whole.

Layout, all little-endian::

    offset 0    b"SKPSHARD"                      magic
    offset 8    uint32  version (2)
    offset 12   uint32  header length H
    offset 16   H bytes of JSON, space-padded so the keys start on a
                64-byte boundary: {"key", "rows", "layers", "width", "dtype",
                "keys_crc32", "vectors_crc32"}
    keys        rows x 16 bytes: blake2b-128 of each text (UTF-8)
    padding     zeros up to the next multiple of 64
    vectors     rows x layers x width values of ``dtype`` ("float32" or
                "float16"), C order; row i belongs to key i

The file ends exactly after the vectors. The checksums (CRC-32 of the keys
bytes and of the vectors bytes) catch any flipped bit or truncated write; the
header fields are checked against the store's metadata before a shard is used.
"""

import json
import struct
import zlib

import numpy as np

MAGIC = b"SKPSHARD"
VERSION = 2
SUFFIX = ".shard"
ALIGN = 64
DIGEST_SIZE = 16
_DTYPES = {"float32": np.dtype("<f4"), "float16": np.dtype("<f2")}
_CRC_BLOCK = 16 * 1024 * 1024


class BadShard(Exception):
    """A shard that must not be used: unreadable, inconsistent or corrupt."""


def _align(n):
    return -(-n // ALIGN) * ALIGN


def crc32(buffer):
    """CRC-32 of a bytes-like object, in blocks (a memory map is read once)."""
    view = memoryview(buffer).cast("B")
    crc = 0
    for start in range(0, len(view), _CRC_BLOCK):
        crc = zlib.crc32(view[start : start + _CRC_BLOCK], crc)
    return crc


def encode(key, digests, vectors, dtype):
    """The bytes of a shard holding ``vectors[i]`` under ``digests[i]``."""
    vectors = np.ascontiguousarray(vectors, dtype=np.dtype(dtype).newbyteorder("<"))
    keys = b"".join(digests)
    rows, layers, width = vectors.shape
    if len(keys) != rows * DIGEST_SIZE:
        raise ValueError(f"{len(digests)} keys for {rows} rows of vectors.")
    header = {
        "key": key,
        "rows": rows,
        "layers": layers,
        "width": width,
        "dtype": dtype,
        "keys_crc32": crc32(keys),
        "vectors_crc32": crc32(vectors),
    }
    text = json.dumps(header, sort_keys=True).encode()
    text += b" " * (_align(16 + len(text)) - 16 - len(text))
    keys_end = 16 + len(text) + len(keys)
    padding = b"\0" * (_align(keys_end) - keys_end)
    prefix = MAGIC + struct.pack("<II", VERSION, len(text)) + text
    return b"".join([prefix, keys, padding, vectors.tobytes()])


def header_size(first_bytes):
    """Bytes of magic + header, read from the first 16 bytes of a shard."""
    if len(first_bytes) < 16 or first_bytes[:8] != MAGIC:
        raise BadShard("not a shard file (bad magic bytes)")
    version, length = struct.unpack("<II", first_bytes[8:16])
    if version != VERSION:
        raise BadShard(f"shard format {version}, expected {VERSION}")
    return 16 + length


def parse_header(head, meta, *, key, size):
    """The layout of a shard, checked against the store's metadata.

    ``head`` holds at least the first :func:`header_size` bytes; ``meta`` is
    the store's (``layers``, ``width``, ``storage``); ``size`` is the file's
    size. Returns a dict with ``rows``, ``keys`` and ``vectors`` offsets.
    """
    layers, width, dtype = meta["layers"], meta["width"], meta["storage"]
    end = header_size(head[:16])
    try:
        header = json.loads(bytes(head[16:end]).decode())
        rows = header["rows"]
        fields = (header["key"], header["layers"], header["width"], header["dtype"])
    except (ValueError, KeyError, TypeError) as exc:
        raise BadShard(f"unreadable header ({exc})") from None
    expected = (key, layers, width, dtype)
    if fields != expected:
        names = ("key", "layers", "width", "dtype")
        wrong = [
            f"{n}={f!r} (store: {e!r})"
            for n, f, e in zip(names, fields, expected, strict=True)
            if f != e
        ]
        raise BadShard("inconsistent with the store: " + ", ".join(wrong))
    if not isinstance(rows, int) or rows < 1:
        raise BadShard(f"bad row count {rows!r}")
    vectors_at = _align(end + rows * DIGEST_SIZE)
    expected_size = vectors_at + rows * layers * width * _DTYPES[dtype].itemsize
    if size != expected_size:
        raise BadShard(f"{size} bytes where {rows} rows take {expected_size}")
    return {
        "rows": rows,
        "keys_at": end,
        "vectors_at": vectors_at,
        "keys_crc32": header.get("keys_crc32"),
        "vectors_crc32": header.get("vectors_crc32"),
    }


def check_keys(keys_bytes, layout):
    """The ``(rows,)`` array of ``S16`` keys, if their checksum holds."""
    if crc32(keys_bytes) != layout["keys_crc32"]:
        raise BadShard("keys checksum mismatch")
    return np.frombuffer(keys_bytes, dtype=f"S{DIGEST_SIZE}").copy()


def vectors_view(buffer, layout, meta):
    """The ``(rows, layers, width)`` vectors in ``buffer`` (the whole shard)."""
    layers, width = meta["layers"], meta["width"]
    return np.frombuffer(
        buffer,
        dtype=_DTYPES[meta["storage"]],
        count=layout["rows"] * layers * width,
        offset=layout["vectors_at"],
    ).reshape(layout["rows"], layers, width)


def check_vectors(vectors, layout):
    if crc32(vectors) != layout["vectors_crc32"]:
        raise BadShard("vectors checksum mismatch")


def check_whole(buffer, layout, keys, meta, *, key):
    """Check a whole shard (``buffer``) against what was indexed of it:
    header, keys and their checksum, vectors' checksum."""
    end = header_size(bytes(buffer[:16]))
    if parse_header(bytes(buffer[:end]), meta, key=key, size=len(buffer)) != layout:
        raise BadShard("header changed since it was indexed")
    keys_end = layout["keys_at"] + layout["rows"] * DIGEST_SIZE
    found = check_keys(buffer[layout["keys_at"] : keys_end], layout)
    if not np.array_equal(found, keys):
        raise BadShard("keys changed since it was indexed")
    check_vectors(vectors_view(buffer, layout, meta), layout)
