#!/usr/bin/python3
"""Writes losses.json: inputs and PyTorch-computed expected values for the CIL loss terms.

Run with Debian's interpreter (it has python3-torch):
    /usr/bin/python3 src/test/resources/reference/generate_losses.py

Every formula below is transcribed from the original repositories; the README next to this
file names the repository and file for each. All arithmetic is float64 so the expected values
are accurate well beyond float32 test tolerances.
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 20240611
BATCH = 6
OLD_CLASSES = 5
NEW_CLASSES = 3
TOTAL_CLASSES = OLD_CLASSES + NEW_CLASSES
FEATURE_DIM = 8
PYCIL_EPSILON = 1e-8  # PyCIL models/base.py EPSILON, added to norms before dividing

torch.set_default_dtype(torch.float64)
torch.manual_seed(SEED)


def rounded(t):
    """Inputs are rounded to 6 decimals so the JSON text is exactly the tensor used."""
    return torch.round(t * 1e6) / 1e6


def rand(*shape, scale=1.0):
    return rounded(torch.randn(*shape) * scale)


def to_list(t):
    return t.detach().cpu().tolist()


# ---------------------------------------------------------------- definitions from the papers' code

def kd_loss_pycil(pred, soft, T):
    """PyCIL models/lwf.py _KD_loss."""
    pred = torch.log_softmax(pred / T, dim=1)
    soft = torch.softmax(soft / T, dim=1)
    return -1 * torch.mul(soft, pred).sum() / pred.shape[0]


def lucir_margin_ranking(scores_before_sigma, targets, num_old_classes, K, dist, lw_mr=1.0):
    """hshustc/CVPR19_Incremental_Learning utils_incremental/incremental_train_and_eval_MR_LF.py."""
    outputs_bs = scores_before_sigma
    gt_index = torch.zeros(outputs_bs.size())
    gt_index = gt_index.scatter(1, targets.view(-1, 1), 1).ge(0.5)
    gt_scores = outputs_bs.masked_select(gt_index)
    max_novel_scores = outputs_bs[:, num_old_classes:].topk(K, dim=1)[0]
    hard_index = targets.lt(num_old_classes)
    hard_num = torch.nonzero(hard_index).size(0)
    if hard_num > 0:
        gt_scores = gt_scores[hard_index].view(-1, 1).repeat(1, K)
        max_novel_scores = max_novel_scores[hard_index]
        # The original passes target of shape [n] with inputs [n, 1]; old PyTorch broadcast that to
        # [n, n] rows of identical values (target is all ones), so the mean equals this [n, 1] form,
        # which current PyTorch requires.
        loss3 = nn.MarginRankingLoss(margin=dist)(
            gt_scores.view(-1, 1), max_novel_scores.view(-1, 1), torch.ones(hard_num * K, 1)
        ) * lw_mr
    else:
        loss3 = torch.zeros(1)
    return loss3.reshape(()), hard_num


def pod(list_attentions_a, list_attentions_b, collapse_channels="spatial", normalize=True):
    """arthurdouillard/incremental_learning.pytorch inclearn/lib/losses/distillation.py pod
    (identical to PyCIL models/podnet.py pod_spatial_loss). Also returns per-layer losses."""
    loss = torch.tensor(0.)
    per_layer = []
    for a, b in zip(list_attentions_a, list_attentions_b):
        assert a.shape == b.shape
        a = torch.pow(a, 2)
        b = torch.pow(b, 2)
        assert collapse_channels == "spatial"
        a_h = a.sum(dim=3).view(a.shape[0], -1)
        b_h = b.sum(dim=3).view(b.shape[0], -1)
        a_w = a.sum(dim=2).view(a.shape[0], -1)
        b_w = b.sum(dim=2).view(b.shape[0], -1)
        a = torch.cat([a_h, a_w], dim=-1)
        b = torch.cat([b_h, b_w], dim=-1)
        if normalize:
            a = F.normalize(a, dim=1, p=2)
            b = F.normalize(b, dim=1, p=2)
        layer_loss = torch.mean(torch.norm(a - b, dim=-1))  # == torch.frobenius_norm(.., dim=-1)
        per_layer.append(layer_loss.item())
        loss += layer_loss
    return loss / len(list_attentions_a), per_layer


def nca(similarities, targets, scale=1, margin=0., exclude_pos_denominator=True):
    """arthurdouillard/incremental_learning.pytorch inclearn/lib/losses/base.py nca, verbatim
    (class_weights=None, hinge_proxynca=False). Note: the scalar `margin` is subtracted from ALL
    similarities (the `margins` tensor is built but unused), so with exclude_pos_denominator the
    max-subtraction cancels it; and the positive slot of the denominator is zeroed, not removed,
    so it contributes exp(0)=1."""
    margins = torch.zeros_like(similarities)
    margins[torch.arange(margins.shape[0]), targets] = margin
    similarities = scale * (similarities - margin)
    if exclude_pos_denominator:
        similarities = similarities - similarities.max(1)[0].view(-1, 1)
        disable_pos = torch.zeros_like(similarities)
        disable_pos[torch.arange(len(similarities)), targets] = similarities[
            torch.arange(len(similarities)), targets]
        numerator = similarities[torch.arange(similarities.shape[0]), targets]
        denominator = similarities - disable_pos
        losses = numerator - torch.log(torch.exp(denominator).sum(-1))
        losses = -losses
        return torch.mean(losses)
    return F.cross_entropy(similarities, targets, reduction="mean")


def nca_margin_on_target_only(similarities, targets, scale, margin):
    """NOT in the original code: the evidently intended AMS variant (subtract `margins`, i.e. the
    margin only at the target column), same denominator handling. Offered for comparison only."""
    margins = torch.zeros_like(similarities)
    margins[torch.arange(margins.shape[0]), targets] = margin
    s = scale * (similarities - margins)
    s = s - s.max(1)[0].view(-1, 1)
    idx = torch.arange(len(s))
    disable_pos = torch.zeros_like(s)
    disable_pos[idx, targets] = s[idx, targets]
    losses = s[idx, targets] - torch.log(torch.exp(s - disable_pos).sum(-1))
    return torch.mean(-losses)


def reduce_proxies_softmax(similarities, proxy_per_class, gamma=1.):
    """incremental_learning.pytorch inclearn/lib/network/classifiers.py CosineClassifier._reduce_proxies
    (merging="softmax"); PyCIL convs/linears.py reduce_proxies is the same with gamma=1."""
    bs = similarities.shape[0]
    n_classes = similarities.shape[1] // proxy_per_class
    simi_per_class = similarities.view(bs, n_classes, proxy_per_class)
    attentions = F.softmax(gamma * simi_per_class, dim=-1)
    return (simi_per_class * attentions).sum(-1)


def stable_cosine_distance_squared(a, b):
    """inclearn/lib/distance.py stable_cosine_distance(squared=True), restricted to the a-vs-b block."""
    mat = torch.cat([a, b])
    d = torch.add(mat.pow(2).sum(dim=1, keepdim=True).expand(mat.size(0), -1),
                  torch.t(mat).pow(2).sum(dim=0, keepdim=True).expand(mat.size(0), -1)
                  ) - 2 * (torch.mm(mat, torch.t(mat)))
    d = torch.clamp(d, min=0.0)
    error_mask = torch.le(d, 0.0)
    d = torch.mul(d, (error_mask == False).float().to(d.dtype))  # noqa: E712 (verbatim)
    d = torch.mul(d, 1 - torch.eye(*d.size()))
    return d[:a.shape[0], a.shape[0]:]


def herding_pycil(features_raw, m):
    """PyCIL models/base.py _construct_exemplar selection loop; returns ORIGINAL row indices."""
    vectors = features_raw.numpy().copy()
    vectors = (vectors.T / (np.linalg.norm(vectors.T, axis=0) + PYCIL_EPSILON)).T
    class_mean = np.mean(vectors, axis=0)
    original_index = np.arange(len(vectors))
    selected, exemplar_vectors = [], []
    for k in range(1, m + 1):
        S = np.sum(exemplar_vectors, axis=0)
        mu_p = (vectors + S) / k
        i = np.argmin(np.sqrt(np.sum((class_mean - mu_p) ** 2, axis=1)))
        selected.append(int(original_index[i]))
        exemplar_vectors.append(np.array(vectors[i]))
        vectors = np.delete(vectors, i, axis=0)
        original_index = np.delete(original_index, i, axis=0)
    return selected, class_mean


def pycil_normalize_rows(x):
    return (x.T / (torch.linalg.norm(x.T, dim=0) + PYCIL_EPSILON)).T


# ---------------------------------------------------------------- fixtures

def cross_entropy_fixture():
    logits = rand(BATCH, TOTAL_CLASSES, scale=2.0)
    targets = torch.tensor([0, 6, 2, 4, 7, 1])
    return {
        "logits": to_list(logits), "targets": to_list(targets),
        "expected_mean_loss": F.cross_entropy(logits, targets, reduction="mean").item(),
    }


def kd_fixture():
    T = 2.0
    student_logits = rand(BATCH, TOTAL_CLASSES, scale=2.0)
    teacher_logits = rand(BATCH, OLD_CLASSES, scale=2.0)
    loss = kd_loss_pycil(student_logits[:, :OLD_CLASSES], teacher_logits, T)
    return {
        "definition": "-sum(softmax(teacher/T) * log_softmax(student[:, :old_classes]/T)) / batch",
        "temperature": T,
        "old_classes": OLD_CLASSES,
        "student_logits_all_classes": to_list(student_logits),
        "teacher_logits_old_classes": to_list(teacher_logits),
        "expected_loss": loss.item(),
    }


def lucir_less_forget_fixture():
    new_features = rand(BATCH, FEATURE_DIM)
    old_features = rounded(new_features + 0.7 * torch.randn(BATCH, FEATURE_DIM))
    new_n, old_n = F.normalize(new_features, p=2, dim=1), F.normalize(old_features, p=2, dim=1)
    raw = nn.CosineEmbeddingLoss()(new_n, old_n, torch.ones(BATCH))
    raw_unnormalised = nn.CosineEmbeddingLoss()(new_features, old_features, torch.ones(BATCH))
    assert abs(raw.item() - raw_unnormalised.item()) < 1e-12  # cosine is scale-invariant
    lambda_base = 5.0
    lam = lambda_base * math.sqrt(OLD_CLASSES / NEW_CLASSES)
    return {
        "definition": "CosineEmbeddingLoss(new, old, target=+1) = mean_i(1 - cos(new_i, old_i)); "
                      "lambda = lambda_base * sqrt(old_classes / new_classes)",
        "new_features": to_list(new_features),
        "old_features": to_list(old_features),
        "old_classes": OLD_CLASSES, "new_classes": NEW_CLASSES,
        "lambda_base": lambda_base,
        "expected_raw_loss": raw.item(),
        "expected_lambda": lam,
        "expected_weighted_loss": lam * raw.item(),
    }


def lucir_margin_ranking_fixture():
    features = rand(BATCH, FEATURE_DIM)
    class_weights = rand(TOTAL_CLASSES, FEATURE_DIM)
    cos = F.linear(F.normalize(features, dim=1), F.normalize(class_weights, dim=1))
    sigma = 4.5  # only scales the CE logits; the ranking loss uses the scores before sigma
    targets = torch.tensor([0, 6, 2, 4, 7, 1])
    K, margin = 2, 0.5
    loss, hard = lucir_margin_ranking(cos, targets, OLD_CLASSES, K, margin)
    no_old_targets = torch.tensor([5, 6, 7, 5, 6, 7])
    loss_none, hard_none = lucir_margin_ranking(cos, no_old_targets, OLD_CLASSES, K, margin)
    return {
        "definition": "scores are cosine similarities BEFORE sigma. For each sample whose target < "
                      "old_classes: gt = score[target]; novel = top-K scores among columns "
                      "old_classes..total-1; loss = mean over the hard_count*K pairs of "
                      "max(0, margin - (gt - novel)). Zero if no old-class sample.",
        "features": to_list(features),
        "class_weights": to_list(class_weights),
        "cosine_scores_before_sigma": to_list(cos),
        "sigma": sigma,
        "ce_logits_after_sigma": to_list(sigma * cos),
        "old_classes": OLD_CLASSES, "top_k": K, "margin": margin,
        "targets": to_list(targets),
        "expected_hard_sample_count": hard,
        "expected_loss": loss.item(),
        "targets_without_old_classes": to_list(no_old_targets),
        "expected_hard_sample_count_without_old_classes": hard_none,
        "expected_loss_without_old_classes": loss_none.item(),
    }


def pod_fixture():
    shapes = [(BATCH, 4, 5, 5), (BATCH, 8, 3, 3)]
    old_maps = [rand(*s) for s in shapes]
    new_maps = [rounded(o + 0.5 * torch.randn(*o.shape)) for o in old_maps]
    loss, per_layer = pod(old_maps, new_maps)
    factor = math.sqrt(TOTAL_CLASSES / NEW_CLASSES)
    return {
        "definition": "per layer: square, sum over dim 3 (width->[b,c*h]) and over dim 2 "
                      "(height->[b,c*w]), concat, L2-normalise rows, mean over batch of "
                      "||a-b||_2; result = mean over layers",
        "layout": "NCHW; old_feature_maps[layer][sample][channel][row][col]",
        "old_feature_maps": [to_list(m) for m in old_maps],
        "new_feature_maps": [to_list(m) for m in new_maps],
        "expected_per_layer_loss": per_layer,
        "expected_loss": loss.item(),
        "adaptive_factor_sqrt_total_over_new": factor,
        "pycil_lambda_c_base": 5.0,
        "original_scheduled_factor_cifar100": 3.0,
    }


def pod_flat_fixture():
    new_features = rand(BATCH, FEATURE_DIM)
    old_features = rounded(new_features + 0.6 * torch.randn(BATCH, FEATURE_DIM))
    loss = F.cosine_embedding_loss(new_features, old_features, torch.ones(BATCH))
    return {
        "definition": "cosine_embedding_loss(new, old, target=+1) = mean_i(1 - cos(new_i, old_i)) on the "
                      "raw (un-normalised) final features; NOT an L2 distance",
        "new_features": to_list(new_features),
        "old_features": to_list(old_features),
        "expected_loss": loss.item(),
        "adaptive_factor_sqrt_total_over_new": math.sqrt(TOTAL_CLASSES / NEW_CLASSES),
        "pycil_lambda_f_base": 1.0,
    }


def nca_fixture():
    similarities = rounded(torch.rand(BATCH, TOTAL_CLASSES) * 2 - 1)
    targets = torch.tensor([0, 6, 2, 4, 7, 1])
    margin = 0.6
    cases = []
    for scale in (1.0, 3.0):
        cases.append({
            "scale": scale,
            "expected_loss": nca(similarities, targets, scale=scale, margin=margin).item(),
            "expected_loss_with_margin_zero": nca(similarities, targets, scale=scale, margin=0.).item(),
            "comparison_only_margin_on_target_only":
                nca_margin_on_target_only(similarities, targets, scale, margin).item(),
        })
    return {
        "definition": "s = scale*(sim - margin); s -= rowmax(s); loss_i = -(s[t] - log(sum_{j!=t} exp(s[j]) "
                      "+ exp(0))); mean. The margin is subtracted from every column (original code), so it "
                      "cancels; the target column contributes exp(0)=1 to the denominator.",
        "similarities": to_list(similarities),
        "targets": to_list(targets),
        "margin": margin,
        "exclude_pos_denominator": True,
        "cases": cases,
    }


def lsc_fixture():
    K = 3
    features = rand(BATCH, FEATURE_DIM)
    proxy_weights = rand(TOTAL_CLASSES * K, FEATURE_DIM)
    cos = F.linear(F.normalize(features, p=2, dim=1), F.normalize(proxy_weights, p=2, dim=1))
    neg_dist = -stable_cosine_distance_squared(F.normalize(features, p=2, dim=-1),
                                               F.normalize(proxy_weights, p=2, dim=-1))
    assert torch.allclose(neg_dist, 2 * cos - 2, atol=1e-12)
    return {
        "definition": "per class c: attention = softmax_k(gamma * sim[c*K+k]); score_c = sum_k attention_k * sim[c*K+k]",
        "proxy_layout": "column c*proxies_per_class + k holds proxy k of class c (view(batch, classes, K))",
        "proxies_per_class": K, "classes": TOTAL_CLASSES, "gamma": 1.0,
        "features": to_list(features),
        "proxy_weights": to_list(proxy_weights),
        "proxy_cosine_similarities": to_list(cos),
        "expected_class_scores_from_cosine": to_list(reduce_proxies_softmax(cos, K)),
        "proxy_neg_stable_cosine_distance": to_list(neg_dist),
        "neg_stable_cosine_distance_note": "original PODNet CIFAR config uses distance=neg_stable_cosine_distance "
                                           "with scaling=1: -||f/|f| - w/|w|||^2 = 2*cos - 2",
        "expected_class_scores_from_neg_stable_cosine_distance": to_list(reduce_proxies_softmax(neg_dist, K)),
    }


def bic_fixture():
    logits = rand(BATCH, TOTAL_CLASSES, scale=2.0)
    targets = torch.tensor([0, 6, 2, 4, 7, 1])
    alpha, beta = 0.8, -0.3
    corrected = logits.clone()
    corrected[:, OLD_CLASSES:TOTAL_CLASSES] = alpha * logits[:, OLD_CLASSES:TOTAL_CLASSES] + beta
    return {
        "definition": "logits[:, old:total] = alpha*logits[:, old:total] + beta (PyCIL BiasLayer_BIC); "
                      "bias-correction loss = CE(corrected, targets)",
        "logits": to_list(logits), "targets": to_list(targets),
        "new_class_range_start_inclusive": OLD_CLASSES, "new_class_range_end_exclusive": TOTAL_CLASSES,
        "alpha": alpha, "beta": beta,
        "expected_corrected_logits": to_list(corrected),
        "expected_ce_of_corrected_logits": F.cross_entropy(corrected, targets).item(),
        "pycil_quirk_ce_of_softmax_of_corrected_logits":
            F.cross_entropy(torch.softmax(corrected, dim=1), targets).item(),
    }


def herding_fixture():
    m = 5
    random_features = rand(12, 4)
    random_selected, random_mean = herding_pycil(random_features, m)

    # Hand-made: a tight cluster around +x. One row lies exactly on +x (the class-mean direction);
    # the others come in near-opposite pairs of tangential offsets (+a, -(a+0.001)) of growing size.
    # Herding picks the centre, then the smallest offset, then its partner (cancelling the running
    # tangential sum), then the next pair: rows 7, 2, 9, 4, 0.
    # Offsets are small so the mean's norm stays near 1 and the tangential balance dominates.
    # The 0.001 tie-breakers cancel across pairs so the mean lies on +x.
    offsets = {7: (0., 0., 0.), 2: (0.010, 0., 0.), 9: (-0.011, 0., 0.), 4: (0., 0.020, 0.),
               0: (0., -0.021, 0.), 5: (0., 0., 0.030), 10: (0., 0., -0.031), 1: (0.041, 0.041, 0.),
               8: (-0.040, -0.040, 0.), 3: (0., 0.050, 0.051), 6: (0., -0.050, -0.050)}
    hand = rounded(torch.tensor([[1.0, *offsets[i]] for i in range(len(offsets))]))
    hand_expected = [7, 2, 9, 4, 0]
    hand_selected, hand_mean = herding_pycil(hand, m)
    assert hand_selected == hand_expected, hand_selected
    return {
        "definition": "PyCIL _construct_exemplar: x_i <- x_i/(||x_i||+1e-8); mu = mean(x); for k=1..m pick "
                      "argmin_i ||mu - (S + x_i)/k|| over the not-yet-picked rows (lowest index on ties), S = sum "
                      "of picked; indices refer to the original rows",
        "exemplars_to_pick": m,
        "cases": [
            {"name": "random", "features_raw": to_list(random_features),
             "features_normalised": to_list(pycil_normalize_rows(random_features)),
             "class_mean_of_normalised": random_mean.tolist(),
             "expected_selected_indices": random_selected},
            {"name": "hand_made_centre_then_cancelling_pairs",
             "why": "11 rows (1, x, y, z) before normalisation: row 7 is (1,0,0,0) = mean direction; "
                    "pairs (2,9), (4,0), (5,10), (1,8), (3,6) have opposite tangential offsets of growing "
                    "size; herding takes the centre, then the smallest offset and its partner, then the next",
             "features_raw": to_list(hand),
             "features_normalised": to_list(pycil_normalize_rows(hand)),
             "class_mean_of_normalised": hand_mean.tolist(),
             "expected_selected_indices": hand_selected},
        ],
    }


def nme_fixture():
    features = rand(BATCH, FEATURE_DIM)
    means_raw = rand(TOTAL_CLASSES, FEATURE_DIM)
    # PyCIL: class mean = mean of normalised exemplar features, then divided by its norm.
    means = means_raw / torch.linalg.norm(means_raw, dim=1, keepdim=True)
    # Make the nearest means unambiguous: pull each sample towards a chosen class.
    chosen = torch.tensor([3, 0, 7, 5, 1, 3])
    features = rounded(features * 0.4 + means[chosen] * 2.0)
    feats_n = pycil_normalize_rows(features)
    sq = torch.cdist(feats_n, means) ** 2
    preds = torch.argmin(sq, dim=1)
    return {
        "definition": "features normalised (x/(||x||+1e-8)), class means normalised (m/||m||); "
                      "prediction = argmin squared euclidean distance (PyCIL _eval_nme)",
        "features": to_list(features),
        "class_means_raw": to_list(means_raw),
        "class_means_normalised": to_list(means),
        "expected_squared_distances": to_list(sq),
        "expected_predictions": to_list(preds),
    }


def main():
    fixtures = {
        "meta": {
            "generator": "src/test/resources/reference/generate_losses.py",
            "torch_version": torch.__version__,
            "seed": SEED,
            "dtype": "float64 (inputs rounded to 6 decimals)",
            "suggested_abs_tolerance_float32": 1e-5,
        },
        "setup": {"batch": BATCH, "old_classes": OLD_CLASSES, "new_classes": NEW_CLASSES,
                  "total_classes": TOTAL_CLASSES, "feature_dim": FEATURE_DIM},
        "cross_entropy": cross_entropy_fixture(),
        "kd_lwf": kd_fixture(),
        "lucir_less_forget": lucir_less_forget_fixture(),
        "lucir_margin_ranking": lucir_margin_ranking_fixture(),
        "pod_spatial": pod_fixture(),
        "pod_flat": pod_flat_fixture(),
        "nca": nca_fixture(),
        "lsc_reduce_proxies": lsc_fixture(),
        "bic": bic_fixture(),
        "icarl_herding": herding_fixture(),
        "nme": nme_fixture(),
    }
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "losses.json")
    with open(out, "w") as f:
        json.dump(fixtures, f, indent=1)
        f.write("\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
