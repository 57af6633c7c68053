#!/usr/bin/python3
"""Writes foster.json: fixed tensors and what PyTorch computes from them for FOSTER's losses.

Run with Debian's interpreter (it has python3-torch):
    /usr/bin/python3 src/test/resources/reference/generate_foster.py

Written after G-U-N/PyCIL models/foster.py and utils/inc_net.py (FOSTERNet); xfflzl/CIM-CIL's
models/foster.py computes the same terms:
  * per_cls_weights: effective_num = 1 - beta**n_c; w = (1 - beta) / effective_num; w = w / sum(w) * C,
    with n_c the images per class (old classes: their exemplars);
  * boosting (_feature_boosting):
      loss_clf = F.cross_entropy(logits / per_cls_weights(beta1), targets)
      loss_fe  = F.cross_entropy(fe_fc(new_features), targets)          (fe_logits)
      loss_kd  = lambda_okd * _KD_loss(logits[:, :known], oldfc(old_features).detach(), T)
    with _KD_loss(pred, soft, T) = -sum(softmax(soft/T) * log_softmax(pred/T)) / batch;
  * compression (_feature_compression): BKD(student_logits, teacher_logits, T) with the teacher's
    softmax re-weighted by per_cls_weights(beta2) and renormalised per row;
  * weight_align: gamma = mean(norm(old rows)) / mean(norm(new rows)) * value ** (known / increment).
Gradients are those of each loss with respect to its inputs (and the fe_fc parameters). Computed in
float64; inputs are rounded to 6 decimals so the JSON text is exactly what was used.
"""
import json
import os

import torch
import torch.nn.functional as F

SEED = 20261128
BATCH = 6
KNOWN = 5
TOTAL = 8
DIM = 4
BETA1 = 0.96
BETA2 = 0.97
T = 2.0
LAMBDA_OKD = 1.0
WA_VALUE = 1.0
COUNTS = [20, 20, 20, 20, 20, 300, 250, 280]
TARGETS = [0, 6, 2, 4, 7, 5]

torch.set_default_dtype(torch.float64)
torch.manual_seed(SEED)


def rounded(t):
    return torch.round(t * 1e6) / 1e6


def rand(*shape, scale=1.0):
    return rounded(torch.randn(*shape) * scale)


def to_list(t):
    return t.detach().tolist()


def per_cls_weights(beta, counts):
    effective = 1.0 - torch.pow(torch.tensor(beta), torch.tensor(counts, dtype=torch.float64))
    w = (1.0 - beta) / effective
    return w / w.sum() * len(counts)


def kd_loss(pred, soft, t):
    pred = torch.log_softmax(pred / t, dim=1)
    soft = torch.softmax(soft / t, dim=1)
    return -1 * torch.mul(soft, pred).sum() / pred.shape[0]


def bkd(pred, soft, t, weights):
    pred = torch.log_softmax(pred / t, dim=1)
    soft = torch.softmax(soft / t, dim=1)
    soft = soft * weights
    soft = soft / soft.sum(1)[:, None]
    return -1 * torch.mul(soft, pred).sum() / pred.shape[0]


targets = torch.tensor(TARGETS)
w1 = per_cls_weights(BETA1, COUNTS)
w2 = per_cls_weights(BETA2, COUNTS)

logits = rand(BATCH, TOTAL, scale=2.0).requires_grad_()
loss_clf = F.cross_entropy(logits / w1, targets)
grad_clf, = torch.autograd.grad(loss_clf, logits)

new_features = rand(BATCH, DIM).requires_grad_()
fe_weight = rand(TOTAL, DIM, scale=0.5).requires_grad_()
fe_bias = rand(TOTAL, scale=0.1).requires_grad_()
loss_fe = F.cross_entropy(F.linear(new_features, fe_weight, fe_bias), targets)
grad_fe_features, grad_fe_weight, grad_fe_bias = torch.autograd.grad(loss_fe, [new_features, fe_weight, fe_bias])

old_features = rand(BATCH, DIM)
old_weight = rand(KNOWN, DIM, scale=0.5)
old_bias = rand(KNOWN, scale=0.1)
old_logits = F.linear(old_features, old_weight, old_bias).detach()
loss_kd = LAMBDA_OKD * kd_loss(logits[:, :KNOWN], old_logits, T)
grad_kd, = torch.autograd.grad(loss_kd, logits)

student = rand(BATCH, TOTAL, scale=2.0).requires_grad_()
teacher = rand(BATCH, TOTAL, scale=2.0)
loss_bkd = bkd(student, teacher, T, w2)
grad_bkd, = torch.autograd.grad(loss_bkd, student)

fc_weight = rand(TOTAL, 2 * DIM)
new_norm = torch.norm(fc_weight[KNOWN:, :], p=2, dim=1)
old_norm = torch.norm(fc_weight[:KNOWN, :], p=2, dim=1)
gamma = torch.mean(old_norm) / torch.mean(new_norm) * (WA_VALUE ** (KNOWN / (TOTAL - KNOWN)))
aligned = fc_weight.clone()
aligned[KNOWN:, :] *= gamma

out = {
    "setup": {"batch": BATCH, "known": KNOWN, "total": TOTAL, "dim": DIM, "beta1": BETA1, "beta2": BETA2,
              "temperature": T, "lambda_okd": LAMBDA_OKD, "wa_value": WA_VALUE, "counts": COUNTS, "targets": TARGETS},
    "per_cls_weights_beta1": to_list(w1),
    "per_cls_weights_beta2": to_list(w2),
    "logit_adjusted_ce": {"logits": to_list(logits), "expected_loss": loss_clf.item(), "expected_grad_logits": to_list(grad_clf)},
    "fe_ce": {"new_features": to_list(new_features), "fe_weight": to_list(fe_weight), "fe_bias": to_list(fe_bias),
              "expected_loss": loss_fe.item(), "expected_grad_features": to_list(grad_fe_features),
              "expected_grad_weight": to_list(grad_fe_weight), "expected_grad_bias": to_list(grad_fe_bias)},
    "kd": {"old_features": to_list(old_features), "old_weight": to_list(old_weight), "old_bias": to_list(old_bias),
           "expected_loss": loss_kd.item(), "expected_grad_logits": to_list(grad_kd)},
    "bkd": {"student_logits": to_list(student), "teacher_logits": to_list(teacher), "expected_loss": loss_bkd.item(),
            "expected_grad_student": to_list(grad_bkd)},
    "weight_align": {"fc_weight": to_list(fc_weight), "expected_gamma": gamma.item(), "expected_aligned": to_list(aligned)},
}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "foster.json"), "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print("wrote foster.json")
