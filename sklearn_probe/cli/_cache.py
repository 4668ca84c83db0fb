"""``sklearn-probe cache info|verify|compact``: the disk store of pooled vectors."""

import json
import os

from ._common import UserError, add_common_flags


def _add_cache_parser(sub):
    """The ``cache`` subcommand: its parser and handler."""
    cache = sub.add_parser(
        "cache",
        help="show, check or compact the disk cache of pooled vectors",
        description=(
            "info: what the cache holds, key by key (model fingerprint, "
            "pooling, shape, shards, texts, bytes). verify: read every shard "
            "whole, check it against its checksums, and move bad ones to "
            "quarantine/. compact: merge small shards, keep each text once, "
            "remove what killed runs left. No model is loaded."
        ),
    )
    cache.add_argument("action", choices=["info", "verify", "compact"])
    cache.add_argument(
        "--cache-dir",
        default="auto",
        help="the cache folder (default: the default store, in the user's cache "
        "directory or SKLEARN_PROBE_CACHE_DIR)",
    )
    cache.add_argument("--json", action="store_true", help="print JSON")
    add_common_flags(cache)
    cache.set_defaults(handler=run_cache)
    return cache


def run_cache(args):
    """Run ``cache info|verify|compact`` and print what it found or did."""
    from ..store import cache_info, compact_cache, verify_cache

    if args.cache_dir != "auto" and not os.path.isdir(args.cache_dir):
        raise UserError(f"No cache folder at {args.cache_dir!r}.")
    run = {"info": cache_info, "verify": verify_cache, "compact": compact_cache}
    report = run[args.action](args.cache_dir)
    if args.json:
        print(json.dumps(report, indent=1, sort_keys=True))
    elif args.action == "info":
        print(_describe(report))
    elif args.action == "verify":
        print(
            f"{report['root']}: {report['checked']} shards checked, "
            f"{report['bad']} bad (moved to quarantine/)."
        )
    else:
        print(
            f"{report['root']}: {report['merged']} shards merged into "
            f"{report['written']}, {report['duplicates']} duplicate rows dropped, "
            f"{report['removed_debris']} temporary files removed."
        )
    return 0


def _describe(info):
    keys = info["keys"]
    bound = info["limit_bytes"]
    lines = [
        f"{info['root']}"
        + (f" (default store, bound {_size(bound)})" if bound is not None else ""),
        f"{len(keys)} keys, {sum(k['shards'] for k in keys)} shards, "
        f"{sum(k['texts'] for k in keys):,} texts, "
        f"{_size(sum(k['bytes'] for k in keys))}",
    ]
    for key in keys:
        meta = key["meta"] or {}
        what = (
            f"model {str(meta.get('model', '?'))[:12]}, {meta.get('pooling', '?')} "
            f"pooling, max_length {meta.get('max_length', '?')}, "
            f"{meta.get('layers', '?')} x {meta.get('width', '?')} "
            f"{meta.get('storage', '?')}"
        )
        extra = [
            f"{key[name]} {label}"
            for name, label in (
                ("quarantined", "quarantined"),
                ("temporary", "temporary files"),
            )
            if key[name]
        ]
        lines.append(
            f"  {key['key'][:12]}  {what}: {key['shards']} shards, "
            f"{key['texts']:,} texts, {_size(key['bytes'])}"
            + (f" ({', '.join(extra)})" if extra else "")
        )
    return "\n".join(lines)


def _size(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
