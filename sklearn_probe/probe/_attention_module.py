"""The trainable part of :class:`~sklearn_probe.AttentionProbe` in torch.

:func:`attention_module` builds the query and the head as a torch module (torch
is imported on use) whose forward pass reads the standardised states of every
training token, text after text with no padding: per evaluation of the loss,
one product of the states with ``[q | W^T]`` forward (the scores and, for a
linear head, each token's logits) and one back (the gradient of ``q`` and
``W``).
"""


def attention_module(n_features, sizes, n_classes):
    """The query and the head as a torch module (built lazily: torch on use)."""
    import torch

    class Project(torch.autograd.Function):
        """``tokens @ matrix``, differentiable in ``matrix`` only. Its gradient
        ``tokens.T @ grad`` goes through numpy: torch's own product of a
        transposed tall matrix with a few columns runs about ten times slower
        on the CPU than one pass over ``tokens``."""

        @staticmethod
        def forward(ctx, tokens, matrix):
            ctx.save_for_backward(tokens)
            return torch.from_numpy(tokens.numpy() @ matrix.detach().numpy())

        @staticmethod
        def backward(ctx, grad):
            (tokens,) = ctx.saved_tensors
            grad = grad.contiguous().numpy()
            return None, torch.from_numpy(tokens.numpy().T @ grad)

    project = Project.apply

    class AttentionPooling(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.query = torch.nn.Parameter(torch.zeros(n_features))
            layers, width = [], n_features
            for size in sizes:
                layers += [torch.nn.Linear(width, size), torch.nn.ReLU()]
                width = size
            self.head = torch.nn.Sequential(*layers, torch.nn.Linear(width, n_classes))

        def forward(self, tokens, segments, n_texts):
            """The logits of ``n_texts`` texts from their tokens' states, the
            rows of ``tokens`` (row ``i`` of text ``segments[i]``), with no
            padding; for a linear head, one pass over the states each way
            (``logits = sum_t a_t (h_t W^T) + b``: a product with
            ``[q | W^T]``)."""
            linear = len(self.head) == 1
            head = self.head[0]
            columns = [self.query[:, None]] + ([head.weight.T] if linear else [])
            both = project(tokens, torch.cat(columns, 1))
            scores, values = both[:, 0], both[:, 1:]
            # The softmax of each text's scores, shifted by the text's top
            # score (a constant of the text: no gradient).
            top = torch.full((n_texts,), float("-inf"), dtype=scores.dtype)
            top = top.scatter_reduce(0, segments, scores.detach(), "amax")
            exp = torch.exp(scores - top[segments])
            total = torch.zeros(n_texts, dtype=exp.dtype).index_add(0, segments, exp)
            weights = (exp / total[segments])[:, None]
            if linear:
                logits = torch.zeros(n_texts, values.shape[1], dtype=values.dtype)
                return logits.index_add(0, segments, weights * values) + head.bias
            pooled = torch.zeros(n_texts, tokens.shape[1], dtype=tokens.dtype)
            return self.head(pooled.index_add(0, segments, weights * tokens))

    return AttentionPooling()
