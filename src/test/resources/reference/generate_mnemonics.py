#!/usr/bin/python3
"""Writes mnemonics.json: one mnemonics outer step's gradient with respect to the exemplars.

Run with Debian's interpreter (it has python3-torch):
    /usr/bin/python3 src/test/resources/reference/generate_mnemonics.py

The objective follows yaoyao-liu/mnemonics-training (1_train/trainer/mnemonics.py and
utils/compute_accuracy.py): a frozen feature extractor, a classifier `fast_fc` initialised with
the exemplars' class means, plain cosine logits `F.linear(F.normalize(f), F.normalize(W))`,
cross-entropy, and unrolled SGD steps `W = W - lr * grad` on the exemplars. Here the inner
gradient is taken with `torch.autograd.grad(..., create_graph=True)` (bilevel) or without
(first order: the step is a constant), and the outer cross-entropy on real data is
back-propagated into the exemplar inputs. `code` is the published loop's single-level loss
(`mnemonics.py`: cosine logits against the class means of the exemplars' raw features). float64 throughout; inputs rounded to 6 decimals so the
JSON text is exactly the tensor used.
"""
import json
import os

import torch
import torch.nn.functional as F

SEED = 20261128
INPUT_DIM = 12
HIDDEN = 10
FEATURE_DIM = 8
CLASSES = 3
ADJUSTED_LABELS = [1, 1, 2, 2]  # exemplars being optimised (the "new" classes)
FIXED_LABELS = [0, 0]           # exemplars of an old class, constants
QUERY_LABELS = [0, 2, 1, 1, 0, 2, 2]
INNER_STEPS = 3
INNER_LR = 0.7

torch.set_default_dtype(torch.float64)
torch.manual_seed(SEED)


def rounded(t):
    return torch.round(t * 1e6) / 1e6


def to_list(t):
    return t.detach().cpu().tolist()


def backbone(x, w1, b1, w2, b2):
    """An MLP like the engine's: Linear + ReLU per layer, features = last activations."""
    return F.relu(F.linear(F.relu(F.linear(x, w1, b1)), w2, b2))


def outer_loss(adjusted, fixed, exemplar_labels, queries, query_labels, params, first_order):
    features = backbone(torch.cat([adjusted, fixed]), *params)
    normalized = F.normalize(features, p=2, dim=1)
    one_hot = F.one_hot(exemplar_labels, CLASSES).double()
    weights = one_hot.t() @ normalized / one_hot.sum(0).clamp(min=1).unsqueeze(1)
    for _ in range(INNER_STEPS):
        logits = F.linear(normalized, F.normalize(weights, p=2, dim=1))
        inner = F.cross_entropy(logits, exemplar_labels)
        (grad,) = torch.autograd.grad(inner, weights, create_graph=not first_order)
        weights = weights - INNER_LR * grad
    query_logits = F.linear(F.normalize(backbone(queries, *params), p=2, dim=1), F.normalize(weights, p=2, dim=1))
    return F.cross_entropy(query_logits, query_labels)


def code_loss(adjusted, fixed, exemplar_labels, queries, query_labels, params):
    """The published loop's loss: class means of the exemplars' raw features as the classifier."""
    features = backbone(torch.cat([adjusted, fixed]), *params)
    one_hot = F.one_hot(exemplar_labels, CLASSES).double()
    means = one_hot.t() @ features / one_hot.sum(0).clamp(min=1).unsqueeze(1)
    query_logits = F.linear(F.normalize(backbone(queries, *params), p=2, dim=1), F.normalize(means, p=2, dim=1))
    return F.cross_entropy(query_logits, query_labels)


def main():
    params = [
        rounded(torch.randn(HIDDEN, INPUT_DIM) * 0.5),
        rounded(torch.randn(HIDDEN) * 0.1 + 0.1),
        rounded(torch.randn(FEATURE_DIM, HIDDEN) * 0.5),
        rounded(torch.randn(FEATURE_DIM) * 0.1 + 0.1),
    ]
    adjusted = rounded(torch.randn(len(ADJUSTED_LABELS), INPUT_DIM))
    fixed = rounded(torch.randn(len(FIXED_LABELS), INPUT_DIM))
    queries = rounded(torch.randn(len(QUERY_LABELS), INPUT_DIM))
    exemplar_labels = torch.tensor(ADJUSTED_LABELS + FIXED_LABELS)
    query_labels = torch.tensor(QUERY_LABELS)
    fixtures = {
        "inner_steps": INNER_STEPS,
        "inner_lr": INNER_LR,
        "classes": CLASSES,
        "w1": to_list(params[0]), "b1": to_list(params[1]), "w2": to_list(params[2]), "b2": to_list(params[3]),
        "adjusted": to_list(adjusted), "fixed": to_list(fixed), "queries": to_list(queries),
        "exemplar_labels": to_list(exemplar_labels), "query_labels": to_list(query_labels),
    }
    for mode, first_order in (("bilevel", False), ("first_order", True)):
        x = adjusted.clone().requires_grad_(True)
        loss = outer_loss(x, fixed, exemplar_labels, queries, query_labels, params, first_order)
        loss.backward()
        fixtures[mode] = {"outer_loss": loss.item(), "gradient": to_list(x.grad)}
    x = adjusted.clone().requires_grad_(True)
    loss = code_loss(x, fixed, exemplar_labels, queries, query_labels, params)
    loss.backward()
    fixtures["code"] = {"outer_loss": loss.item(), "gradient": to_list(x.grad)}
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mnemonics.json")
    with open(out, "w") as f:
        json.dump(fixtures, f, indent=1)


if __name__ == "__main__":
    main()
