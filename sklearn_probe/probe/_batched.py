"""Many linear probes solved at once: batched L-BFGS in torch.

The linear :class:`~sklearn_probe.ProbeClassifier` is
``LogisticRegression(C=C / d)`` on features standardised with the training
rows' mean and scale. A layer sweep fits it on every layer x fold (x ``C``):
convex problems of the same shape. :func:`solve_logistic` solves them
together: for each layer, one matrix product of all its rows with the weights
of every fold and ``C`` serves all of them at once (a fold's held-out rows get
weight 0), and one L-BFGS step is taken for every problem that has not yet
converged (a two-loop recursion and a backtracking Armijo line search, both
per problem). It runs on the GPU when one is asked for.

The objective is scikit-learn's: the mean cross-entropy over the fold's
training rows plus ``||W||^2 / (2 C' n_train)`` with ``C' = C / d`` on the
standardised weights (not the intercepts); two classes have one row of
weights (the logit of class 1), more classes one row each (multinomial).
A problem has converged when every entry of that objective's gradient is at
most ``gtol``, L-BFGS's rule in ``LogisticRegression`` (which
``ProbeClassifier`` runs with ``gtol = tol / 10``, ``LogisticRegression``'s
default 1e-4 for the default ``tol``), so a problem stops where its own
``fit`` would. The weights are found in the standardised space, where the
problem is well conditioned; the products are taken with the raw rows
(centred once per layer), in float64.

:func:`fitted_probe` turns one solution into a fitted ``ProbeClassifier``,
as if its ``fit`` had found it.
"""

import numpy as np

#: L-BFGS's memory: the (s, y) pairs kept per problem (scipy's default).
HISTORY = 10
#: Armijo's sufficient-decrease constant and the most halvings of a step.
ARMIJO = 1e-4
MAX_HALVINGS = 40


class _Problems:
    """Loss and gradient of ``Q`` logistic problems on each of ``L`` layers.

    ``X``: (L, n, d) rows; ``y``: (n,) encoded classes; ``weights``: (Q, n),
    1 / n_train on a problem's training rows and 0 elsewhere; ``mean``,
    ``scale``: (L, Q, d) standardisation of each problem; ``lam``: (Q,) the
    penalty's weight ``d / (C n_train)``; ``n_out``: 1 for two classes, else
    the number of classes. The logits are kept as (L, Q, n_out, n): the
    products are then (Q n_out, d) x (d, n) and (Q n_out, n) x (n, d), which
    torch's CPU kernels run 4-20x faster than their transposes when Q n_out
    is small.
    """

    def __init__(self, X, y, weights, mean, scale, lam, n_out, product_dtype):
        import torch

        self.torch = torch
        centre = X.mean(dim=1, keepdim=True, dtype=torch.float64)
        # Centred once (no cancellation against the means), in the products'
        # dtype.
        self.X = X.to(product_dtype) - centre.to(product_dtype)
        centre = centre.to(mean.dtype)
        self.inv_scale = 1.0 / scale
        self.shift = (mean - centre) * self.inv_scale  # (L, Q, d)
        self.weights = weights.unsqueeze(1).unsqueeze(0)  # (1, Q, 1, n)
        self.lam = lam.view(1, -1, 1, 1)
        self.n_out = n_out
        L, n, d = X.shape
        self.shape = (L, weights.shape[0], d + 1, n_out)
        if n_out == 1:
            self.target = (y == 1).to(mean.dtype).view(1, 1, 1, n)
        else:
            target = torch.nn.functional.one_hot(y, n_out).to(mean.dtype)
            self.target = target.T.reshape(1, 1, n_out, n)

    def logits(self, theta):
        """(L, Q, n_out, n) logits of every row under every problem."""
        W, b = theta[:, :, :-1, :], theta[:, :, -1, :]
        V = W * self.inv_scale.unsqueeze(-1)
        offset = b - self.torch.einsum("lqd,lqdo->lqo", self.shift, W)
        L, Q, d, o = W.shape
        Vt = V.transpose(2, 3).reshape(L, Q * o, d).to(self.X.dtype)
        Z = self.torch.bmm(Vt, self.X.transpose(1, 2)).to(theta.dtype)
        return Z.view(L, Q, o, -1) + offset.unsqueeze(-1)

    def __call__(self, theta):
        """Objective (L, Q) and gradient (shape of ``theta``) at ``theta``."""
        torch = self.torch
        Z = self.logits(theta)
        if self.n_out == 1:
            loss = torch.nn.functional.softplus(Z) - self.target * Z
            residual = torch.sigmoid(Z) - self.target
        else:
            # One exp for the softmax and its log.
            top = Z.amax(2, keepdim=True)
            E = torch.exp(Z - top)
            total = E.sum(2, keepdim=True)
            loss = top + torch.log(total) - (Z * self.target).sum(2, keepdim=True)
            residual = E / total - self.target
        W = theta[:, :, :-1, :]
        f = (loss * self.weights).sum((2, 3))
        f = f + 0.5 * self.lam[..., 0, 0] * (W**2).sum((2, 3))
        R = residual * self.weights  # (L, Q, o, n)
        L, Q, o, n = R.shape
        RX = torch.bmm(R.reshape(L, Q * o, n).to(self.X.dtype), self.X)
        RX = RX.to(theta.dtype).view(L, Q, o, -1).transpose(2, 3)  # (L, Q, d, o)
        total = R.sum(3)  # (L, Q, o)
        grad_W = RX * self.inv_scale.unsqueeze(-1)
        grad_W = grad_W - self.shift.unsqueeze(-1) * total.unsqueeze(2)
        grad_W = grad_W + self.lam * W
        return f, torch.cat([grad_W, total.unsqueeze(2)], dim=2)


def _approximate_wolfe(f, f_new, slope, slope_new):
    """Hager and Zhang's approximate Wolfe conditions (CG_DESCENT): the slope
    along the step has shrunk to between -0.9 and 0.8 of its start, and the
    objective has not risen by more than 1e-6 of its size. They hold where
    the rounding of products in float32 hides the tiny decrease that Armijo's
    test asks for near the optimum."""
    return (
        (slope_new >= 0.9 * slope)
        & (slope_new <= -0.8 * slope)
        & (f_new <= f + 1e-6 * f.abs())
    )


def _lbfgs(problems, theta, gtol, max_iter):
    """Batched L-BFGS from ``theta`` (L, Q, d + 1, o) until every problem's
    gradient is at most ``gtol`` or it took ``max_iter`` steps. Returns the
    solutions, the steps each took and whether each converged.

    Every round evaluates every problem once, at its trial step: a problem
    whose step fails the line search stays where it is and tries a shorter
    step along the same direction in the next round, so one slow problem
    does not cost the others an evaluation of the whole batch.
    """
    torch = problems.torch
    L, Q = theta.shape[:2]
    B = L * Q
    x = theta.reshape(B, -1).clone()
    shape = theta.shape

    def evaluate(flat):
        f, g = problems(flat.view(shape))
        return f.reshape(B), g.reshape(B, -1)

    def zeros(*size, dtype=x.dtype):
        return torch.zeros(size, dtype=dtype, device=x.device)

    f, g = evaluate(x)
    history_s, history_y = zeros(HISTORY, *x.shape), zeros(HISTORY, *x.shape)
    rho, gamma = zeros(HISTORY, B), zeros(B) + 1
    step, n_iter = zeros(B) + 1, zeros(B, dtype=torch.long)
    halvings = zeros(B, dtype=torch.long)
    active = g.abs().amax(1) > gtol
    newest = -1
    for _ in range(max_iter + MAX_HALVINGS):
        if not bool(active.any()):
            break
        d = _direction(g, history_s, history_y, rho, gamma, newest)
        slope = (g * d).sum(1)
        uphill = slope >= 0
        if bool(uphill.any()):  # not a descent direction: restart on -g
            d[uphill] = -g[uphill] / g[uphill].norm(dim=1, keepdim=True).clamp(min=1)
            slope = (g * d).sum(1)
            rho[:, uphill] = 0
        d[~active] = 0
        slope = torch.where(active, slope, torch.zeros_like(slope))
        x_new = x + step[:, None] * d
        f_new, g_new = evaluate(x_new)
        ok = (f_new <= f + ARMIJO * step * slope) | _approximate_wolfe(
            f, f_new, slope, (g_new * d).sum(1)
        )
        moved = active & ok & torch.isfinite(f_new)
        # A failed step: the minimum of the quadratic through f, the slope
        # and f_new, within [0.1, 0.5] of the step; a step taken: 1 again.
        rise = (f_new - f - slope * step).clamp(min=1e-300)
        shorter = (-slope * step**2 / (2 * rise)).clamp(0.1 * step, 0.5 * step)
        shorter = torch.where(torch.isfinite(f_new), shorter, 0.1 * step)
        step = torch.where(moved, torch.ones_like(step), shorter)
        halvings = torch.where(moved, torch.zeros_like(halvings), halvings + 1)
        s = (x_new - x) * moved[:, None]
        y_diff = (g_new - g) * moved[:, None]
        sy = (s * y_diff).sum(1)
        yy = (y_diff * y_diff).sum(1)
        curved = moved & (sy > 1e-10 * yy.sqrt() * s.norm(dim=1))
        if bool(curved.any()):
            newest = (newest + 1) % HISTORY
            history_s[newest] = s * curved[:, None]
            history_y[newest] = y_diff * curved[:, None]
            rho[newest] = torch.where(curved, 1.0 / sy.clamp(min=1e-300), 0.0)
            gamma = torch.where(curved, sy / yy.clamp(min=1e-300), gamma)
        x = torch.where(moved[:, None], x_new, x)
        f = torch.where(moved, f_new, f)
        g = torch.where(moved[:, None], g_new, g)
        n_iter += moved.long()
        active &= (g.abs().amax(1) > gtol) & (n_iter < max_iter)
        active &= halvings < MAX_HALVINGS
    converged = g.abs().amax(1) <= gtol
    return x.view(shape), n_iter.view(L, Q), converged.view(L, Q)


def _direction(g, history_s, history_y, rho, gamma, newest):
    """L-BFGS's two-loop recursion for every problem, newest pair first
    (pairs with ``rho`` 0 are empty), from ``gamma`` times the identity; a
    problem with no pair yet starts along ``-g`` scaled to a length of at
    most 1."""
    import torch

    q = -g
    alphas = []
    for k in range(HISTORY):
        i = (newest - k) % HISTORY
        a = rho[i] * torch.einsum("bd,bd->b", history_s[i], q)
        q.sub_(a[:, None] * history_y[i])
        alphas.append((i, a))
    first = (rho != 0).sum(0) == 0
    scale = torch.where(first, 1.0 / g.norm(dim=1).clamp(min=1.0), gamma)
    d = q * scale[:, None]
    for i, a in reversed(alphas):
        b = rho[i] * torch.einsum("bd,bd->b", history_y[i], d)
        d.add_((a - b)[:, None] * history_s[i])
    return d


def solve_logistic(
    X,
    y,
    train_masks,
    Cs,
    *,
    mean,
    scale,
    gtol=1e-4,
    max_iter=200,
    device="cpu",
    product_dtype="float32",
):
    """Solve the linear probes of every layer x fold x ``C`` at once.

    Parameters
    ----------
    X : ndarray of shape (n_layers, n_samples, n_features)
        Every layer's vectors of every sample.
    y : ndarray of shape (n_samples,)
        Classes encoded as ``0..n_classes-1`` (every class in every fold's
        training rows).
    train_masks : ndarray of bool, shape (n_folds, n_samples)
        Each fold's training rows.
    Cs : sequence of float
        ``ProbeClassifier``'s ``C`` values (finite).
    mean, scale : ndarray of shape (n_layers, n_folds, n_features)
        Each layer and fold's standardisation (``standardization`` of its
        training rows).
    gtol : float
        Stop a problem when every entry of its gradient is at most ``gtol``.
    max_iter : int
        At most this many L-BFGS iterations.
    device : str
        Torch device.
    product_dtype : {"float32", "float64"}
        The dtype of the two matrix products with the rows per step (the
        rest is float64): float32 halves their cost, as ``LogisticRegression``
        solves on a ``StandardScaler``'s float32 output.

    Returns
    -------
    coef : ndarray of shape (n_layers, n_folds, n_Cs, n_out, n_features)
        Weights on the standardised features (``n_out``: 1 for two classes).
    intercept : ndarray of shape (n_layers, n_folds, n_Cs, n_out)
    n_iter, converged : ndarray of shape (n_layers, n_folds, n_Cs)
    """
    import torch

    X = np.asarray(X)
    L, n, d = X.shape
    K, C = len(train_masks), len(Cs)
    n_classes = int(np.max(y)) + 1
    n_out = 1 if n_classes == 2 else n_classes
    masks = np.asarray(train_masks, dtype=np.float64)
    n_train = masks.sum(axis=1)
    # Problem q = fold * n_Cs + c.
    weights = np.repeat(masks / n_train[:, None], C, axis=0)
    lam = d / (np.tile(np.asarray(Cs, dtype=np.float64), K) * np.repeat(n_train, C))

    def tensor(a):
        return torch.as_tensor(np.asarray(a), dtype=torch.float64, device=device)

    problems = _Problems(
        torch.as_tensor(X, device=device),
        torch.as_tensor(np.asarray(y), dtype=torch.long, device=device),
        tensor(weights),
        tensor(np.repeat(mean, C, axis=1)),
        tensor(np.repeat(scale, C, axis=1)),
        tensor(lam),
        n_out,
        getattr(torch, product_dtype),
    )
    theta = torch.zeros(problems.shape, dtype=torch.float64, device=device)
    theta, n_iter, converged = _lbfgs(problems, theta, gtol, max_iter)
    theta = theta.cpu().numpy().reshape(L, K, C, d + 1, n_out)
    coef = np.ascontiguousarray(np.swapaxes(theta[..., :-1, :], -1, -2))
    intercept = np.ascontiguousarray(theta[..., -1, :])
    return (
        coef,
        intercept,
        n_iter.cpu().numpy().reshape(L, K, C),
        converged.cpu().numpy().reshape(L, K, C),
    )


def fold_standardization(X, train_masks):
    """Every fold's ``standardization`` of its training rows of ``X`` (n, d),
    at once: (n_folds, d) means and scales from two products of the fold
    masks with the rows centred on their overall mean (float64), instead of
    a float64 copy of every fold's rows."""
    from ._training import scale_floor

    masks = np.asarray(train_masks, dtype=np.float64)
    n_train = masks.sum(axis=1, keepdims=True)
    centre = X.mean(axis=0, dtype=np.float64)
    Xc = X - centre.astype(X.dtype)
    shift = (masks @ Xc) / n_train
    second = (masks @ np.square(Xc, dtype=np.float64)) / n_train
    mean = centre.astype(X.dtype).astype(np.float64) + shift
    scale = np.sqrt(np.maximum(second - shift**2, 0.0))
    return mean, scale_floor(mean, scale)


def fitted_probe(probe, X, y, coef, intercept, mean, scale, n_iter):
    """``probe`` (an unfitted linear :class:`~sklearn_probe.ProbeClassifier`)
    fitted on ``X``, ``y`` as its ``fit`` would leave it, with the solution
    ``coef`` (n_out, d), ``intercept`` (n_out,) on features standardised by
    ``mean`` and ``scale`` (those of ``X``) found elsewhere."""
    from ._training import set_linear_solution

    y_encoded = probe._start_linear_fit(X, y)
    predicted = set_linear_solution(
        probe, X, y_encoded, coef, intercept, mean, scale, n_iter
    )
    probe._check_degenerate(predicted, y_encoded)
    return probe
