#!/usr/bin/python3
"""Writes aanets_loop.json: the aggregation weights α that the official AANets training loop gives
on a tiny two-level network, over two incremental phases.

Run with Debian's interpreter (it has python3-torch):
    /usr/bin/python3 src/test/resources/reference/generate_aanets_loop.py

The loop follows yaoyao-liu/class-incremental-learning@6a92ab0, adaptive-aggregation-networks:
  * trainer/incremental_lucir.py: per epoch, the main pass (tg_optimizer.zero_grad(), loss.backward(),
    tg_optimizer.step(); the zero_grad touches only the branches, so every backward also adds into
    α's gradient), then one pass over the balanced loader with loss.backward() and
    fusion_optimizer.step() and no zero_grad (trainer/incremental_icarl.py zeroes before each step:
    the "zeroed" case);
  * trainer/base_trainer.py: SGD(momentum 0.9, weight decay 5e-4) for α, created anew every phase,
    on the main milestones; the balanced loader unshuffled at batch size 100, the new class's draws
    first, then the exemplars; α a ParameterList kept across phases, so its gradient carries over.
The network is Mnemos's aggregated MLP (2 levels of Linear + ReLU; the stable branch's weight
frozen and scaled per output unit, its bias trained) with a linear head of two one-class segments,
so that the Java side can build exactly the same one. Its weights come from a formula both sides
evaluate. The main loss is the cross-entropy over both classes on 6 identical images of the new
class (so that shuffling cannot change a batch's gradient), batch 4. The derived learning rate
spends Mnemos's update budget: 0.06105 / Σ over α steps of (schedule factor × backward passes the
step applies). Float32, as the Java side.
"""
import json
import math
import os

import torch
import torch.nn.functional as F

IN, HIDDEN, LEVELS = 4, 3, 2
MAIN_IMAGES, MAIN_BATCH, BALANCED_BATCH, EXEMPLARS = 6, 4, 100, 75
EPOCHS, MILESTONE, GAMMA = 3, 2, 0.1
LR, MOMENTUM, WD = 0.1, 0.9, 5e-4
BUDGET = 0.06105

# Mnemos's parameter names in IncrementalNet.getParameters() order, with their shapes
NAMES = [
    ("head_weight0", (1, HIDDEN)), ("head_bias0", (1,)), ("head_weight1", (1, HIDDEN)), ("head_bias1", (1,)),
    ("01backbone_01stable_01fc0_weight", (HIDDEN, IN)), ("01backbone_01stable_01fc0_bias", (HIDDEN,)),
    ("01backbone_01stable_01fc0_scale", (HIDDEN, 1)),
    ("01backbone_01stable_02fc1_weight", (HIDDEN, HIDDEN)), ("01backbone_01stable_02fc1_bias", (HIDDEN,)),
    ("01backbone_01stable_02fc1_scale", (HIDDEN, 1)),
    ("01backbone_02plastic_01fc0_weight", (HIDDEN, IN)), ("01backbone_02plastic_01fc0_bias", (HIDDEN,)),
    ("01backbone_02plastic_02fc1_weight", (HIDDEN, HIDDEN)), ("01backbone_02plastic_02fc1_bias", (HIDDEN,)),
]


def initial(k, name, shape):
    n = math.prod(shape)
    values = [0.5 * math.sin(1.7 * (i + 1) + 0.9 * (k + 1)) for i in range(n)]
    if name.endswith("scale"):
        values = [1.0 + 0.4 * v for v in values]
    return torch.tensor(values, dtype=torch.float32).reshape(shape)


def pixels():
    main = torch.tensor([[200, 30, 120, 60]] * MAIN_IMAGES, dtype=torch.float32) / 255
    exemplars = torch.tensor([[(37 * j + 11 * p + 5) % 256 for p in range(IN)] for j in range(EXEMPLARS)],
                             dtype=torch.float32) / 255
    return main, exemplars


def forward(p, alphas, x):
    for level in range(LEVELS):
        s = F.relu(F.linear(x, p[f"01backbone_01stable_0{level + 1}fc{level}_weight"]
                            * p[f"01backbone_01stable_0{level + 1}fc{level}_scale"],
                            p[f"01backbone_01stable_0{level + 1}fc{level}_bias"]))
        q = F.relu(F.linear(x, p[f"01backbone_02plastic_0{level + 1}fc{level}_weight"],
                            p[f"01backbone_02plastic_0{level + 1}fc{level}_bias"]))
        x = alphas[level] * s + (1 - alphas[level]) * q
    return torch.cat([F.linear(x, p["head_weight0"], p["head_bias0"]), F.linear(x, p["head_weight1"], p["head_bias1"])], 1)


def run(accumulate, fusion_lr):
    torch.manual_seed(0)
    p = {name: initial(k, name, shape).requires_grad_(not name.startswith("01backbone_01stable") or not name.endswith("weight"))
         for k, (name, shape) in enumerate(NAMES)}
    alphas = torch.nn.ParameterList([torch.nn.Parameter(torch.tensor([0.5])) for _ in range(LEVELS)])
    main_x, exemplars = pixels()
    main_y = torch.ones(MAIN_IMAGES, dtype=torch.long)
    # the balanced set: the new class drawn to the exemplars' count per old class, then the exemplars
    balanced_x = torch.cat([main_x[:1].repeat(EXEMPLARS, 1), exemplars])
    balanced_y = torch.cat([torch.ones(EXEMPLARS, dtype=torch.long), torch.zeros(EXEMPLARS, dtype=torch.long)])
    main_batches = [(s, min(s + MAIN_BATCH, MAIN_IMAGES)) for s in range(0, MAIN_IMAGES, MAIN_BATCH)]
    balanced_batches = [(s, min(s + BALANCED_BATCH, 2 * EXEMPLARS)) for s in range(0, 2 * EXEMPLARS, BALANCED_BATCH)]
    trained = [t for t in p.values() if t.requires_grad]
    phases = []
    for phase in range(2):
        factors = [GAMMA if epoch >= MILESTONE else 1.0 for epoch in range(EPOCHS)]
        if fusion_lr is None:
            units = 0.0
            for epoch in range(EPOCHS):
                before = (epoch + 1) * len(main_batches) + epoch * len(balanced_batches) if accumulate else 0
                for j in range(len(balanced_batches)):
                    units += factors[epoch] * (before + j + 1 if accumulate else 1)
            lr = BUDGET / units
        else:
            lr = fusion_lr
        main_optimizer = torch.optim.SGD(trained, lr=LR, momentum=MOMENTUM, weight_decay=WD)
        fusion_optimizer = torch.optim.SGD(alphas, lr=lr, momentum=MOMENTUM, weight_decay=WD)
        history, steps = [], 0
        for epoch in range(EPOCHS):
            for group in main_optimizer.param_groups:
                group["lr"] = LR * factors[epoch]
            for group in fusion_optimizer.param_groups:
                group["lr"] = lr * factors[epoch]
            for start, end in main_batches:
                main_optimizer.zero_grad()
                loss = F.cross_entropy(forward(p, alphas, main_x[start:end]), main_y[start:end])
                loss.backward()
                main_optimizer.step()
            for start, end in balanced_batches:
                if not accumulate:
                    fusion_optimizer.zero_grad()
                loss = F.cross_entropy(forward(p, alphas, balanced_x[start:end]), balanced_y[start:end])
                loss.backward()
                fusion_optimizer.step()
                steps += 1
            history.append([a.item() for a in alphas])
        phases.append({"fusion_lr": lr, "steps": steps, "alphas": history,
                       "gradient_after": [a.grad.item() for a in alphas]})
    return phases


def main():
    cases = []
    for name, accumulate, fusion_lr in (("accumulated", True, 0.01), ("accumulated_derived_lr", True, None),
                                        ("zeroed", False, 0.05), ("zeroed_derived_lr", False, None)):
        cases.append({"name": name, "accumulate": accumulate, "fusion_lr": fusion_lr, "phases": run(accumulate, fusion_lr)})
    out = {"meta": {"generator": "generate_aanets_loop.py", "torch_version": torch.__version__, "dtype": "float32"},
           "setup": {"in": IN, "hidden": HIDDEN, "levels": LEVELS, "main_images": MAIN_IMAGES, "main_batch": MAIN_BATCH,
                     "exemplars": EXEMPLARS, "epochs": EPOCHS, "milestone": MILESTONE, "gamma": GAMMA, "lr": LR,
                     "names": [n for n, _ in NAMES]},
           "cases": cases}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "aanets_loop.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
    print("wrote", path)


if __name__ == "__main__":
    main()
