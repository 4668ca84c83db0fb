"""``sklearn-probe cache info|verify|compact|clear``: the disk store of pooled
vectors."""

import json
import os

from ._common import UserError, add_common_flags


def _add_cache_parser(sub):
    """The ``cache`` subcommand: its parser and handler."""
    cache = sub.add_parser(
        "cache",
        help="show, check, compact or clear the disk cache of pooled vectors",
        description=(
            "info: what the cache holds, key by key (model, pooling, shape, "
            "shards, texts or words, bytes). verify: read every shard whole, "
            "check it against its checksums, and move bad ones to quarantine/ "
            "(exit status 1 when any is bad). compact: merge small shards, keep "
            "each text once, remove what killed runs left. clear: delete what "
            "the store wrote (never other files), with --yes. No model is loaded."
        ),
    )
    cache.add_argument("action", choices=["info", "verify", "compact", "clear"])
    cache.add_argument(
        "--cache-dir",
        default="auto",
        help="the cache folder or URL (default: the default store, in the user's "
        "cache directory or SKLEARN_PROBE_CACHE_DIR)",
    )
    cache.add_argument(
        "--yes",
        action="store_true",
        help="with clear: really delete (without it, clear says what it would do)",
    )
    cache.add_argument("--json", action="store_true", help="print JSON")
    add_common_flags(cache)
    cache.set_defaults(handler=run_cache)
    return cache


def run_cache(args):
    """Run ``cache info|verify|compact|clear`` and print what it found or did."""
    from ..store import cache_info, clear_disk_cache, compact_cache, verify_cache

    where = args.cache_dir
    if where != "auto" and "://" not in where and not os.path.isdir(where):
        raise UserError(f"No cache folder at {where!r}.")
    if args.action == "clear" and not args.yes:
        info = cache_info(where)
        raise UserError(
            f"cache clear deletes the {len(info['keys'])} keys under "
            f"{info['root']} that the store wrote; add --yes to do it."
        )
    run = {
        "info": cache_info,
        "verify": verify_cache,
        "compact": compact_cache,
        "clear": clear_disk_cache,
    }
    report = run[args.action](where)
    if args.json:
        print(json.dumps(report, indent=1, sort_keys=True))
    else:
        print(_SAYS[args.action](report))
    if args.action == "verify" and report["bad"]:
        return 1
    if args.action == "compact" and (report["locked"] or report["read_only"]):
        return 1
    return 0


def _describe(info):
    keys = info["keys"]
    bound = info["limit_bytes"]
    words = sum(k["words"] for k in keys)
    lines = [
        f"{info['root']}"
        + (f" (default store, bound {_size(bound)})" if bound is not None else ""),
        f"{len(keys)} keys, {sum(k['shards'] for k in keys)} shards, "
        f"{sum(k['texts'] for k in keys):,} texts, "
        + (f"{words:,} words, " if words else "")
        + f"{_size(sum(k['bytes'] for k in keys))}",
    ]
    for key in keys:
        lines.append(f"  {key['key'][:12]}  {_what(key)}")
    return "\n".join(lines)


def _what(key):
    """One key: its model, pooling and shape, then what it holds."""
    meta = key["meta"] or {}
    model = str(meta.get("model", "?"))[:12]
    if meta.get("model_name"):
        model = f"{meta['model_name']} (fingerprint {model})"
    pooling = str(meta.get("pooling", "?"))
    if pooling.startswith("words:"):
        pooling = f"words, {pooling.split(':', 1)[1]} subword"
    else:
        pooling = f"{pooling} pooling, max_length {meta.get('max_length', '?')}"
    extra = [
        f"{key[name]} {label}"
        for name, label in (
            ("quarantined", "quarantined"),
            ("temporary", "temporary files"),
        )
        if key[name]
    ]
    if key["meta"] is None:
        extra.append("meta.json missing or unreadable: run cache verify")
    return (
        f"model {model}, {pooling}, {meta.get('layers', '?')} x "
        f"{meta.get('width', '?')} {meta.get('storage', '?')}: {key['shards']} "
        f"shards, {key[key['unit']]:,} {key['unit']}, {_size(key['bytes'])}"
        + (f" ({', '.join(extra)})" if extra else "")
    )


def _verified(report):
    lines = [
        f"{report['root']}: {report['checked']} shards checked in "
        f"{report['keys']} keys, {report['bad']} bad"
        + ("." if not report["bad"] else ":")
    ]
    for problem in report["problems"]:
        lines.append(
            f"  {problem['key'][:12]}/{problem['file']}: {problem['reason']}; "
            f"{problem['done']}."
        )
    for key in report["keys_without_meta"]:
        lines.append(
            f"  {key[:12]}: meta.json missing or unreadable; its shards were "
            "checked against their own headers (the next run of its model "
            "writes meta.json again)."
        )
    left = report["bad"] - report["moved"]
    if report["moved"]:
        lines.append(
            f"{report['moved']} moved to quarantine/: their texts are computed "
            "again when needed."
        )
    if left:
        lines.append(
            f"{left} left in place"
            + (": the store cannot be written" if report["read_only"] else "")
            + "; run cache verify with write access to move them aside, or "
            "delete them."
        )
    return "\n".join(lines)


def _compacted(report):
    lines = [
        f"{report['root']}: {report['merged']} shards merged into "
        f"{report['written']}, {report['duplicates']} duplicate rows dropped, "
        f"{report['removed_debris']} temporary files removed."
    ]
    for locked in report["locked"]:
        lines.append(
            f"  key {locked['key'][:12]} not compacted: it is locked by "
            f"{locked['by']}. Run again when that compaction ends (a lock whose "
            "process is gone is broken by itself)."
        )
    if report["read_only"]:
        lines.append("  the store cannot be written: nothing was compacted.")
    return "\n".join(lines)


def _cleared(report):
    if not report["marked"]:
        return (
            f"{report['root']}: not a store of sklearn-probe (no "
            ".sklearn-probe-store marker): nothing deleted."
        )
    lines = [
        f"{report['root']}: {report['keys']} keys cleared, {report['files']} files "
        f"({_size(report['bytes'])}) deleted."
    ]
    if report["left"]:
        lines.append(
            f"{len(report['left'])} files the store did not write were left: "
            + ", ".join(report["left"][:5])
            + (" ..." if len(report["left"]) > 5 else "")
        )
    return "\n".join(lines)


_SAYS = {
    "info": _describe,
    "verify": _verified,
    "compact": _compacted,
    "clear": _cleared,
}


def _size(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
