#!/usr/bin/python3
"""Writes mnemonics_stage.json: several outer steps of the mnemonics stage, optimiser included.

Run with Debian's interpreter (it has python3-torch):
    /usr/bin/python3 src/test/resources/reference/generate_mnemonics_stage.py

The loop is the one Mnemos's ExemplarOptimizer runs, written independently in PyTorch:

* `code`: the official single-level loop of yaoyao-liu/mnemonics-training@987b46d
  (`mnemonics-training/1_train/trainer/mnemonics.py:335-373`): `optim.SGD(mnemonics, lr, momentum=0.9,
  weight_decay=5e-4)`, `StepLR(step_size=1, gamma=0.5)` stepped once before the epoch (so on
  PyTorch >= 1.1 the pass runs at lr/2), per batch `F.linear(F.normalize(q), F.normalize(class means of
  the exemplars' raw features))`, cross-entropy, `backward`, `step`. Mnemos then clips to the valid range.
* `bilevel`: the paper-style objective (a temporary cosine classifier initialised at the exemplars'
  normalised class means, unrolled inner SGD steps differentiated through with create_graph, logits
  scaled by a fixed inverse temperature), `optim.Adam` on the exemplars, then the projection onto the
  L-infinity ball around the start intersected with the valid range.

The backbone is a small tanh MLP over the flattened NCHW input (features can be negative, as a
ResNet's without its last ReLU). float32, as the engine; inputs rounded to 6 decimals.
"""
import json
import os

import torch
import torch.nn.functional as F

SEED = 20261205
CHANNELS, SIDE = 1, 4
HIDDEN, FEATURE_DIM = 9, 6
CLASSES = 3
ADJUSTED_LABELS = [1, 1, 2, 2]
FIXED_LABELS = [0, 0]
BATCHES = [[0, 2, 1, 1, 0], [2, 2, 0, 1, 1], [1, 0, 2, 0, 2], [0, 1, 2, 2, 1], [2, 0, 0, 1, 2], [1, 2, 0, 0, 1]]
LOWEST, HIGHEST = -1.2, 1.6
CODE = {"outer_lr": 0.4}
BILEVEL = {"outer_lr": 0.02, "inner_steps": 3, "inner_lr": 0.1, "logit_scale": 16.0, "max_change": 0.05}

torch.manual_seed(SEED)


def rounded(t):
    return torch.round(t * 1e6) / 1e6


def to_list(t):
    return t.detach().cpu().tolist()


def make_backbone():
    w1 = rounded(torch.randn(HIDDEN, CHANNELS * SIDE * SIDE) * 0.5)
    b1 = rounded(torch.randn(HIDDEN) * 0.1)
    w2 = rounded(torch.randn(FEATURE_DIM, HIDDEN) * 0.5)
    return w1, b1, w2


def features(x, w1, b1, w2):
    return F.linear(torch.tanh(F.linear(x.reshape(x.shape[0], -1), w1, b1)), w2)


def code_loss(exemplar_features, exemplar_labels, query_features, query_labels):
    one_hot = F.one_hot(exemplar_labels, CLASSES).float()
    means = one_hot.t() @ exemplar_features / one_hot.sum(0).clamp(min=1).unsqueeze(1)
    logits = F.linear(F.normalize(query_features, p=2, dim=1), F.normalize(means, p=2, dim=1))
    return F.cross_entropy(logits, query_labels)


def bilevel_loss(exemplar_features, exemplar_labels, query_features, query_labels, options):
    scale = options["logit_scale"]
    normalized = F.normalize(exemplar_features, p=2, dim=1)
    one_hot = F.one_hot(exemplar_labels, CLASSES).float()
    weights = one_hot.t() @ normalized / one_hot.sum(0).clamp(min=1).unsqueeze(1)
    for _ in range(options["inner_steps"]):
        inner = F.cross_entropy(scale * F.linear(normalized, F.normalize(weights, p=2, dim=1)), exemplar_labels)
        (grad,) = torch.autograd.grad(inner, weights, create_graph=True)
        weights = weights - options["inner_lr"] * grad
    logits = scale * F.linear(F.normalize(query_features, p=2, dim=1), F.normalize(weights, p=2, dim=1))
    return F.cross_entropy(logits, query_labels)


def run(mode, start, fixed, exemplar_labels, queries, query_labels, params):
    exemplars = start.clone().requires_grad_(True)
    if mode == "code":
        optimizer = torch.optim.SGD([exemplars], lr=CODE["outer_lr"], momentum=0.9, weight_decay=5e-4)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
        scheduler.step()  # as the official loop: before the epoch
        lower = torch.full_like(start, LOWEST)
        upper = torch.full_like(start, HIGHEST)
    else:
        optimizer = torch.optim.Adam([exemplars], lr=BILEVEL["outer_lr"])
        lower = (start - BILEVEL["max_change"]).clamp(min=LOWEST)
        upper = (start + BILEVEL["max_change"]).clamp(max=HIGHEST)
    losses = []
    for batch, labels in zip(queries, query_labels):
        optimizer.zero_grad()
        exemplar_features = features(torch.cat([exemplars, fixed]), *params)
        query_features = features(batch, *params)
        if mode == "code":
            loss = code_loss(exemplar_features, exemplar_labels, query_features, labels)
        else:
            loss = bilevel_loss(exemplar_features, exemplar_labels, query_features, labels, BILEVEL)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            exemplars.copy_(torch.max(torch.min(exemplars, upper), lower))
        losses.append(loss.item())
    return {"losses": losses, "exemplars": to_list(exemplars), "lr_used": optimizer.param_groups[0]["lr"]}


def main():
    params = make_backbone()
    shape = (CHANNELS, SIDE, SIDE)
    adjusted = rounded(torch.rand(len(ADJUSTED_LABELS), *shape) * 2.4 - 1.1)
    fixed = rounded(torch.rand(len(FIXED_LABELS), *shape) * 2.4 - 1.1)
    exemplar_labels = torch.tensor(ADJUSTED_LABELS + FIXED_LABELS)
    queries = [rounded(torch.rand(len(b), *shape) * 2.4 - 1.1) for b in BATCHES]
    query_labels = [torch.tensor(b) for b in BATCHES]
    out = {
        "channels": CHANNELS, "side": SIDE, "classes": CLASSES, "lowest": LOWEST, "highest": HIGHEST,
        "w1": to_list(params[0]), "b1": to_list(params[1]), "w2": to_list(params[2]),
        "adjusted": to_list(adjusted), "fixed": to_list(fixed),
        "adjusted_labels": ADJUSTED_LABELS, "fixed_labels": FIXED_LABELS,
        "queries": [to_list(q) for q in queries], "query_labels": BATCHES,
        "code_options": CODE, "bilevel_options": BILEVEL,
        "code": run("code", adjusted, fixed, exemplar_labels, queries, query_labels, params),
        "bilevel": run("bilevel", adjusted, fixed, exemplar_labels, queries, query_labels, params),
        "torch": torch.__version__,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mnemonics_stage.json")
    with open(path, "w") as f:
        json.dump(out, f)
    print("wrote", path, "code lr used", out["code"]["lr_used"])


if __name__ == "__main__":
    main()
