#!/usr/bin/python3
"""Writes aanets.json: fixed weights of one AANets level and what PyTorch computes from them.

Run with Debian's interpreter (it has python3-torch):
    /usr/bin/python3 src/test/resources/reference/generate_aanets.py

The level is the first of the CIFAR ResNet (stem conv3x3 + BN + ReLU, then one basic block of
stage 1 with an identity shortcut), held twice: a stable branch whose convolutions are AANets'
scaled convolutions and a free plastic branch. Written after yaoyao-liu/class-incremental-learning,
adaptive-aggregation-networks:
  * utils/incremental/conv2d_mtl.py, Conv2dMtl: the kernel `weight` does not require a gradient;
    `mtl_weight` of shape (out, in, 1, 1) is expanded to the kernel's shape and multiplied onto it;
  * utils/process_fp.py, process_inputs_fp: fp1 = fusion_vars[0] * b1(x) + (1 - fusion_vars[0]) * b2(x),
    with b1 = conv1, bn1, relu, layer1 of the first (stable) branch and b2 the same of the second;
  * the branches in training mode (batch statistics), as in the main training loop.
The objective is loss = sum(fp1 * probe) with a fixed random probe, so its gradients are
those of every output element. Computed in float64; inputs are rounded to 6 decimals so the JSON
text is exactly what was used.
"""
import json
import os

import torch
import torch.nn.functional as F

SEED = 20260611
BATCH = 2
IN_CHANNELS = 3
SIDE = 6
PLANES = 16
ALPHA = 0.3
BN_EPS = 1e-5

torch.set_default_dtype(torch.float64)
torch.manual_seed(SEED)


def rounded(t):
    return torch.round(t * 1e6) / 1e6


def rand(*shape, scale=1.0, shift=0.0):
    return rounded(torch.randn(*shape) * scale + shift)


def to_list(t):
    return t.detach().tolist()


def conv_mtl(x, weight, mtl_weight):
    """Conv2dMtl.forward without bias: weight * mtl_weight.expand(weight.shape), 3x3, stride 1, padding 1."""
    return F.conv2d(x, weight.mul(mtl_weight.expand(weight.shape)), None, 1, 1)


def conv(x, weight):
    return F.conv2d(x, weight, None, 1, 1)


def batch_norm(x, p):
    """nn.BatchNorm2d in training mode: normalised with the batch's biased variance."""
    return F.batch_norm(x, None, None, p["gamma"], p["beta"], training=True, eps=BN_EPS)


def level(x, p, scaled):
    """conv1, bn1, relu, then layer1's single BasicBlock (conv_a, bn_a, relu, conv_b, bn_b, + x, relu)."""
    c = (lambda y, name: conv_mtl(y, p[name]["weight"], p[name]["scale"])) if scaled else (lambda y, name: conv(y, p[name]["weight"]))
    out = F.relu(batch_norm(c(x, "conv1"), p["bn1"]))
    residual = out
    y = F.relu(batch_norm(c(out, "block_conv_a"), p["block_bn_a"]))
    y = batch_norm(c(y, "block_conv_b"), p["block_bn_b"])
    return F.relu(y + residual)


def branch_parameters(scaled):
    p = {}
    for name, shape in (("conv1", (PLANES, IN_CHANNELS, 3, 3)), ("block_conv_a", (PLANES, PLANES, 3, 3)),
                        ("block_conv_b", (PLANES, PLANES, 3, 3))):
        fan_out = shape[0] * shape[2] * shape[3]
        p[name] = {"weight": rand(*shape, scale=(2.0 / fan_out) ** 0.5).requires_grad_(not scaled)}
        if scaled:
            p[name]["scale"] = rand(shape[0], shape[1], 1, 1, scale=0.1, shift=1.0).requires_grad_()
    for name in ("bn1", "block_bn_a", "block_bn_b"):
        p[name] = {"gamma": rand(PLANES, scale=0.1, shift=1.0).requires_grad_(),
                   "beta": rand(PLANES, scale=0.1).requires_grad_()}
    return p


def main():
    stable = branch_parameters(scaled=True)
    plastic = branch_parameters(scaled=False)
    alpha = torch.tensor([ALPHA]).requires_grad_()
    x = rand(BATCH, IN_CHANNELS, SIDE, SIDE)
    # small enough that every gradient is of order 1, so float32 can meet an absolute 1e-5
    probe = rand(BATCH, PLANES, SIDE, SIDE, scale=0.1)

    fp1 = alpha[0] * level(x, stable, scaled=True) + (1 - alpha[0]) * level(x, plastic, scaled=False)
    loss = (fp1 * probe).sum()
    loss.backward()

    def values(p):
        return {name: {k: to_list(v) for k, v in tensors.items()} for name, tensors in p.items()}

    def grads(p):
        return {name: {k: to_list(v.grad) for k, v in tensors.items() if v.requires_grad}
                for name, tensors in p.items()}

    out = {
        "meta": {
            "generator": "generate_aanets.py",
            "torch_version": torch.__version__,
            "seed": SEED,
            "dtype": "float64",
            "suggested_abs_tolerance_float32": 1e-5,
        },
        "definition": "fp1 = alpha*stable(x) + (1-alpha)*plastic(x), level 1 of AANets' CIFAR ResNet "
                      "(conv1, bn1, relu, one BasicBlock); stable convolutions are Conv2dMtl "
                      "(frozen weight * mtl_weight (out,in,1,1)); loss = sum(fp1 * probe); "
                      "training-mode BatchNorm, eps 1e-5",
        "alpha": ALPHA,
        "input": to_list(x),
        "probe": to_list(probe),
        "stable": values(stable),
        "plastic": values(plastic),
        "expected_output": to_list(fp1),
        "expected_loss": loss.item(),
        "expected_grad_alpha": alpha.grad.item(),
        "expected_grad_stable": grads(stable),
        "expected_grad_plastic": grads(plastic),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "aanets.json")
    with open(path, "w") as f:
        json.dump(out, f)
    print("wrote", path)


if __name__ == "__main__":
    main()
