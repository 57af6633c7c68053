#!/usr/bin/python3
"""Writes abd.json: fixed inputs and PyTorch-computed expected values for Always Be Dreaming's
model-inversion terms and training losses, DeepInversion's replay distillation and LwF.MC's loss.

Run with Debian's interpreter (it has python3-torch):
    /usr/bin/python3 src/test/resources/reference/generate_abd.py

The formulas are transcribed from GT-RIPL/AlwaysBeDreaming-DFCIL (learners/datafree_helper.py:
Teacher.get_images, DeepInversionFeatureHook, Gaussiansmoothing; learners/datafree.py:
AlwaysBeDreaming.update_model, DeepInversionGenBN.update_model; learners/kd.py: LWF_MC;
learners/default.py: loss_fn_kd, criterion). Arithmetic is float64.
"""
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
torch.manual_seed(20260607)


def rounded(t):
    return torch.round(t * 1e6) / 1e6


def rand(*shape, scale=1.0):
    return rounded(torch.randn(*shape) * scale)


def to_list(t):
    return t.detach().cpu().tolist()


# ------------------------------------------------------------------ inversion terms (Teacher.get_images)

def content(outputs, temp):
    return nn.CrossEntropyLoss()(outputs / temp, torch.argmax(outputs, dim=1))


def class_balance(outputs):
    p = F.softmax(outputs, dim=1).mean(dim=0)
    return 1.0 + (p * torch.log(p) / math.log(outputs.shape[1])).sum()


def bn_r_feature(inp, running_mean, running_var):
    """DeepInversionFeatureHook.hook_fn."""
    nch = inp.shape[1]
    mean = inp.mean([0, 2, 3])
    var = inp.permute(1, 0, 2, 3).contiguous().view([nch, -1]).var(1, unbiased=False) + 1e-8
    return torch.log(var ** 0.5 / (running_var + 1e-8) ** 0.5).mean() - 0.5 * (
        1.0 - (running_var + 1e-8 + (running_mean - mean) ** 2) / var).mean()


def gaussian_kernel(channels, kernel_size=5, sigma=1, dim=2):
    """Gaussiansmoothing.__init__ (its exponent is ((x - mean) / (2 sigma))^2)."""
    kernel_size = [kernel_size] * dim
    sigma = [sigma] * dim
    kernel = 1
    meshgrids = torch.meshgrid([torch.arange(size, dtype=torch.float64) for size in kernel_size], indexing="ij")
    for size, std, mgrid in zip(kernel_size, sigma, meshgrids):
        mean = (size - 1) / 2
        kernel = kernel * 1 / (std * math.sqrt(2 * math.pi)) * torch.exp(-((mgrid - mean) / (2 * std)) ** 2)
    kernel = kernel / torch.sum(kernel)
    kernel = kernel.view(1, 1, *kernel.size())
    return kernel.repeat(channels, *[1] * (kernel.dim() - 1))


def smoothness(inputs):
    c = inputs.shape[1]
    smooth = F.conv2d(F.pad(inputs, (2, 2, 2, 2), mode="reflect"), weight=gaussian_kernel(c), groups=c)
    return nn.MSELoss(reduction="none")(inputs, smooth).mean(), smooth


# ------------------------------------------------------------------ training losses (update_model)

def abd_losses(logits, feat, prev_feat, head_w, head_b, prev_w, prev_b, targets, real, old, seen, mu):
    """AlwaysBeDreaming.update_model with a head of `seen` outputs and `real` real rows first."""
    criterion_fn = nn.CrossEntropyLoss(reduction="none")
    criterion = lambda l, t, w: (criterion_fn(l, t.long()) * w).mean()
    mappings = torch.ones(targets.size(), dtype=torch.float64)
    rnt = 1.0 * old / seen
    mappings[:old] = rnt
    mappings[old:] = 1 - rnt
    dw_cls = mappings[targets.long()]
    class_idx = torch.arange(real)
    local = criterion(logits[class_idx, old:seen], (targets[class_idx] - old).long(), dw_cls[class_idx])
    feat_class = feat.detach()
    head = F.linear(feat_class, head_w, head_b)
    ft = criterion(head, targets.long(), dw_cls)
    prev_linear = lambda f: F.linear(f, prev_w, prev_b)
    logits_kd = prev_linear(feat)[:, :old]
    logits_kd_past = prev_linear(prev_feat)[:, :old]
    kd = mu * (nn.MSELoss(reduction="none")(logits_kd, logits_kd_past).sum(dim=1) * 1.0).mean() / logits_kd.size(1)
    return local, ft, kd


def loss_fn_kd(scores, target_scores, allowed_predictions, T=2.0, soft_t=False):
    log_scores_norm = F.log_softmax(scores[:, allowed_predictions] / T, dim=1)
    targets_norm = target_scores if soft_t else F.softmax(target_scores[:, allowed_predictions] / T, dim=1)
    return (-(targets_norm * log_scores_norm)).sum(dim=1).mean()


def deepinversion_kd(logits, prev_logits_old, real, old, seen, T, mu):
    """DeepInversionGenBN.update_model: KD old on the real rows, padded KD on the dreamed rows."""
    kd = mu * loss_fn_kd(logits[:real], prev_logits_old[:real], list(range(old)), T)
    t = F.softmax(prev_logits_old[:, :old] / T, dim=1)
    t = torch.cat([t, torch.zeros(len(logits), seen - old)], dim=1)
    kd = kd + mu * loss_fn_kd(logits[real:], t[real:], list(range(seen)), T, soft_t=True)
    return kd


def lwf_mc(logits, prev_logits_old, targets, old, seen):
    """LWF_MC.update_model."""
    target_mod = F.one_hot(targets, seen).double()
    if old > 0:
        target_mod[:, :old] = torch.sigmoid(prev_logits_old)
    return nn.BCELoss(reduction="sum")(torch.sigmoid(logits), target_mod) / len(logits)


out = {}

logits = rand(6, 5, scale=3.0)
out["inversion_logits"] = {
    "logits": to_list(logits),
    "tau": 1000.0,
    "content_tau_1000": content(logits, 1000.0).item(),
    "content_tau_2": content(logits, 2.0).item(),
    "class_balance": class_balance(logits).item(),
}

bn_input = rand(4, 3, 5, 5, scale=1.5) + 0.3
running_mean = rand(3, scale=0.5)
running_var = rounded(torch.rand(3) + 0.5)
out["batch_norm"] = {
    "input": to_list(bn_input), "running_mean": to_list(running_mean), "running_var": to_list(running_var),
    "expected": bn_r_feature(bn_input, running_mean, running_var).item(),
}

images = rand(2, 3, 8, 8)
mse, smooth = smoothness(images)
out["smoothness"] = {
    "images": to_list(images), "expected": mse.item(), "blurred": to_list(smooth),
    "kernel": to_list(gaussian_kernel(1)[0, 0]),
}

real, old, seen, dim = 3, 3, 5, 4
feat = rand(6, dim)
prev_feat = rand(6, dim)
head_w = rand(seen, dim, scale=0.5)
head_b = rand(seen, scale=0.1)
prev_w = rand(old, dim, scale=0.5)
prev_b = rand(old, scale=0.1)
logits_train = F.linear(feat, head_w, head_b)
targets = torch.tensor([3, 4, 3, 0, 2, 1])
local, ft, kd = abd_losses(logits_train, feat, prev_feat, head_w, head_b, prev_w, prev_b, targets, real, old, seen, 0.1)
prev_logits_old = F.linear(prev_feat, prev_w, prev_b)
out["abd"] = {
    "features": to_list(feat), "previous_features": to_list(prev_feat),
    "head_weight": to_list(head_w), "head_bias": to_list(head_b),
    "previous_head_weight": to_list(prev_w), "previous_head_bias": to_list(prev_b),
    "targets": to_list(targets), "real_rows": real, "old_classes": old, "seen_classes": seen, "mu": 0.1,
    "local_ce": local.item(), "head_ce": ft.item(), "feature_distillation": kd.item(),
    "deepinversion_kd_t2_mu1": deepinversion_kd(logits_train, prev_logits_old, real, old, seen, 2.0, 1.0).item(),
    "lwf_mc": lwf_mc(logits_train, prev_logits_old, targets, old, seen).item(),
    "lwf_mc_first_phase": lwf_mc(logits_train, None, targets, 0, seen).item(),
}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "abd.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print("wrote", path)
