"""Writes src/main/resources/org/mnemos/engine/util/autograd-grad.pt, a TorchScript module whose
forward is torch.autograd.grad(tensors[0], tensors[1:], create_graph=True).

DJL 0.35.1's JNI offers only backward(), which accumulates into the leaves' .grad; with
create_graph that gradient keeps a graph that points back at its leaf, a reference cycle that
libtorch never frees (PyTorch warns about it). autograd.grad returns the gradients instead, so
nothing is stored on the leaves. Run with Debian's python3-torch (1.13); libtorch 2.x loads it.
The archive is byte-for-byte reproducible (zip dates are fixed at 1980).
"""
import sys
from typing import List

import torch


class AutogradGrad(torch.nn.Module):
    def forward(self, tensors: List[torch.Tensor]) -> List[torch.Tensor]:
        grads = torch.autograd.grad([tensors[0]], tensors[1:], create_graph=True)
        out: List[torch.Tensor] = []
        for g in grads:
            assert g is not None, "an input does not reach the output"
            out.append(g)
        return out


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else "src/main/resources/org/mnemos/engine/util/autograd-grad.pt"
    torch.jit.script(AutogradGrad()).save(target)
