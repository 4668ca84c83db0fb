"""One check of a ``device`` parameter, shared by the transformers and the
probes: ``"auto"`` resolved to the best device there is, anything else checked
against torch."""


def resolve_device(device):
    """Turn ``"auto"`` into the best available device; check any other value."""
    import torch

    if device == "auto":
        if torch.cuda.is_available():
            return "cuda"
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return "mps"
        return "cpu"
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(
            f"device={device!r} is not a torch device; use 'auto', 'cpu', 'cuda', "
            "'cuda:1', 'mps' or a torch.device."
        ) from None
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was asked for, but torch sees no CUDA device here; "
            "use device='auto' or 'cpu'."
        )
    return str(resolved)
