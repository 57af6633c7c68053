#!/usr/bin/python3
"""Writes cim.json: fixed tensors of CIM's mask-model pieces and what PyTorch computes from them.

Run with Debian's interpreter (it has python3-torch):
    /usr/bin/python3 src/test/resources/reference/generate_cim.py

Written after xfflzl/CIM-CIL (models/foster.py, _init_train's meta-iteration; convs/resnet.py's
`activation='ratl'` forward) and ml-research/rational_activations (version "A" of degrees (5, 4):
P(x) / (1 + sum_j |b_j x^j|), initialised to its fit of ReLU). The network is a CIFAR ResNet with one
basic block per stage (16/32/64 channels, subsample + zero-pad shortcuts, PyCIL's), a linear head
over 3 classes, BatchNorm in evaluation mode (running statistics), as in the meta-iteration
(`self._network.eval()`). Each ReLU site has its own rational (stem, then each block's two).

Checked values:
  * rational: forward of a vector and the gradients of sum(y * probe) w.r.t. input and coefficients;
  * cam: bmm(W[targets], fmaps) min-max normalised per image, then bilinear resize to the image;
  * meta: one meta-iteration's losses and the gradient of the outer loss w.r.t. every rational
    coefficient, with the inner gradient kept in the graph (create_graph=True, "bilevel") and
    detached ("firstOrder").
Computed in float64; inputs are rounded to 6 decimals so the JSON text is exactly what was used.
"""
import json
import math
import os

import torch
import torch.nn.functional as F

SEED = 20261128
BATCH = 4
SIDE = 12
CLASSES = 3
RATIO = 4.0
INNER_LR = 0.01
DIV_COEF = 0.2
REG_COEF = 0.1
BN_EPS = 1e-5
RELU_INIT = [0.029963801610813613, 0.6168978366891341, 2.37534759733888, 3.0659900472408443, 1.5246831881677423,
             0.2528070864040542, -1.191550121923625, 4.4080487697236626, 0.9110357113686055, 0.34884977946384615]

torch.set_default_dtype(torch.float64)
torch.manual_seed(SEED)


def rounded(t):
    return torch.round(t * 1e6) / 1e6


def rational(x, c):
    """rational_activations' Rational_PYTORCH_A_F with numerator c[:6], denominator c[6:]; the powers
    are stacked by hand because torch 1.13's vander cannot be differentiated in its input."""
    z = x.reshape(-1)
    xps = torch.stack([torch.ones_like(z)] + [z ** i for i in range(1, 6)], 1)
    numerator = xps.mul(c[:6]).sum(1)
    expanded = torch.cat([torch.ones(1), c[6:], torch.zeros(1)])
    denominator = xps.mul(expanded).abs().sum(1)
    return numerator.div(denominator).view(x.shape)


# parameters in the order the Java network lists them
names = ["head_weight", "head_bias", "conv1", "bn1"]
shapes = {"head_weight": (CLASSES, 64), "head_bias": (CLASSES,), "conv1": (16, 3, 3, 3), "bn1": 16}
blocks = [(1, 16, 16, 1), (2, 16, 32, 2), (3, 32, 64, 2)]
for stage, cin, cout, stride in blocks:
    for conv, bn, c_in in (("conv_a", "bn_a", cin), ("conv_b", "bn_b", cout)):
        names += [f"s{stage}_{conv}", f"s{stage}_{bn}"]
        shapes[f"s{stage}_{conv}"] = (cout, c_in, 3, 3)
        shapes[f"s{stage}_{bn}"] = cout

params = {}
ordered = []
for name in names:
    if name.startswith("head") or "conv" in name:
        fan_in = 1
        for d in shapes[name][1:]:
            fan_in *= d
        value = rounded(torch.randn(shapes[name]) * math.sqrt(2.0 / max(fan_in, 1)))
        params[name] = value
        ordered.append(value)
    else:
        n = shapes[name]
        gamma = rounded(1 + 0.1 * torch.randn(n))
        beta = rounded(0.1 * torch.randn(n))
        mean = rounded(0.1 * torch.randn(n))
        var = rounded(1 + 0.2 * torch.rand(n))
        params[name] = (gamma, beta, mean, var)
        ordered += [gamma, beta, mean, var]


def bn(x, p):
    gamma, beta, mean, var = p
    return F.batch_norm(x, mean, var, gamma, beta, False, 0.0, BN_EPS)


def forward(x, p, act):
    """Returns logits and the last feature maps; act(site, x) is ReLU or a rational."""
    h = act(0, bn(F.conv2d(x, p["conv1"], stride=1, padding=1), p["bn1"]))
    site = 1
    for stage, cin, cout, stride in blocks:
        out = act(site, bn(F.conv2d(h, p[f"s{stage}_conv_a"], stride=stride, padding=1), p[f"s{stage}_bn_a"]))
        out = bn(F.conv2d(out, p[f"s{stage}_conv_b"], stride=1, padding=1), p[f"s{stage}_bn_b"])
        if stride == 1 and cin == cout:
            shortcut = h
        else:
            sub = h[:, :, ::2, ::2]
            shortcut = torch.cat([sub, torch.zeros_like(sub)], 1)
        h = act(site + 1, out + shortcut)
        site += 2
    features = h.mean((2, 3))
    return features @ p["head_weight"].t() + p["head_bias"], h


SITES = 7
coefficients = rounded(torch.tensor(RELU_INIT).repeat(SITES, 1) * (1 + 0.05 * torch.randn(SITES, 10)))

x = rounded(torch.randn(BATCH, 3, SIDE, SIDE))
y = torch.randint(0, CLASSES, (BATCH,))
next_x = rounded(torch.randn(BATCH, 3, SIDE, SIDE))
next_y = torch.randint(0, CLASSES, (BATCH,))


def meta(first_order):
    phi = coefficients.clone().requires_grad_(True)
    # the mask model: shared weights, rationals in place of the ReLUs (weights detached: only phi learns)
    fixed = {k: (tuple(t.detach() for t in v) if isinstance(v, tuple) else v.detach()) for k, v in params.items()}
    logits, fmaps = forward(x, fixed, lambda s, t: rational(t, phi[s]))
    div_loss = F.cross_entropy(logits, y)
    bz, nc, h, w = fmaps.shape
    cams = torch.bmm(fixed["head_weight"][y].unsqueeze(1), fmaps.reshape(bz, nc, h * w)).reshape(bz, 1, h, w)
    cams = cams - cams.min(3, keepdim=True)[0].min(2, keepdim=True)[0]
    cams = cams / cams.max(3, keepdim=True)[0].max(2, keepdim=True)[0]
    reg_loss = F.mse_loss(cams, torch.zeros_like(cams))
    H, W = x.shape[2], x.shape[3]
    hc, wc = int(H / math.sqrt(RATIO)), int(W / math.sqrt(RATIO))
    up = F.interpolate(cams, size=(H, W), mode="bilinear", align_corners=False).expand(-1, 3, -1, -1)
    down = F.interpolate(F.interpolate(x, size=(hc, wc), mode="nearest"), size=(H, W), mode="nearest")
    hybrid = up * x + (1.0 - up) * down
    # the fast weights: every backbone parameter that trains (convolutions, BatchNorm affine), not the head
    fast = {}
    leaves = []
    for k, v in fixed.items():
        if k.startswith("head"):
            fast[k] = v
        elif isinstance(v, tuple):
            g, b = v[0].clone().requires_grad_(True), v[1].clone().requires_grad_(True)
            fast[k] = (g, b, v[2], v[3])
            leaves += [g, b]
        else:
            leaf = v.clone().requires_grad_(True)
            fast[k] = leaf
            leaves.append(leaf)
    inner_loss = F.cross_entropy(forward(hybrid, fast, lambda s, t: F.relu(t))[0], y)
    grads = torch.autograd.grad(inner_loss, leaves, create_graph=not first_order)
    if first_order:
        grads = [g.detach() for g in grads]
    stepped = {}
    it = iter(zip(leaves, grads))
    for k, v in fast.items():
        if k.startswith("head"):
            stepped[k] = v
        elif isinstance(v, tuple):
            (g, gg), (b, gb) = next(it), next(it)
            stepped[k] = (g - INNER_LR * gg, b - INNER_LR * gb, v[2], v[3])
        else:
            leaf, gl = next(it)
            stepped[k] = leaf - INNER_LR * gl
    outer_ce = F.cross_entropy(forward(next_x, stepped, lambda s, t: F.relu(t))[0], next_y)
    outer = outer_ce + DIV_COEF * div_loss + REG_COEF * reg_loss
    (grad_phi,) = torch.autograd.grad(outer, [phi])
    return {
        "cams": cams.detach().reshape(-1).tolist(),
        "cams_resized": up[:, 0].detach().reshape(-1).tolist(),
        "hybrid": hybrid.detach().reshape(-1).tolist(),
        "inner_loss": inner_loss.item(),
        "div_loss": div_loss.item(),
        "reg_loss": reg_loss.item(),
        "outer_loss": outer.item(),
        "grad_coefficients": grad_phi.tolist(),
    }


# the rational alone, forward and backward
probe_x = rounded(torch.linspace(-3.5, 3.5, 29) + 0.01 * torch.randn(29)).requires_grad_(True)
probe = rounded(torch.randn(29))
single = coefficients[3].clone().requires_grad_(True)
out = rational(probe_x, single)
(out * probe).sum().backward()

reference = {
    "classes": CLASSES,
    "side": SIDE,
    "ratio": RATIO,
    "inner_lr": INNER_LR,
    "div_coef": DIV_COEF,
    "reg_coef": REG_COEF,
    "parameters": [t.reshape(-1).tolist() for t in ordered],
    "parameter_shapes": [list(t.shape) for t in ordered],
    "coefficients": coefficients.tolist(),
    "x": x.reshape(-1).tolist(),
    "y": y.tolist(),
    "next_x": next_x.reshape(-1).tolist(),
    "next_y": next_y.tolist(),
    "rational": {
        "x": probe_x.detach().tolist(),
        "probe": probe.tolist(),
        "coefficients": coefficients[3].tolist(),
        "expected_output": out.detach().tolist(),
        "expected_grad_x": probe_x.grad.tolist(),
        "expected_grad_coefficients": single.grad.tolist(),
    },
    "bilevel": meta(False),
    "firstOrder": meta(True),
}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "cim.json"), "w") as f:
    json.dump(reference, f)
print("bilevel grad norm", torch.tensor(reference["bilevel"]["grad_coefficients"]).norm().item(),
      "firstOrder grad norm", torch.tensor(reference["firstOrder"]["grad_coefficients"]).norm().item())
