#!/usr/bin/python3
"""PyTorch CPU training throughput, the baseline for the DJL engine's numbers.

    /usr/bin/python3 bench/pytorch_throughput.py [--threads 2] [--seconds 10] [--warmup 5]
    python3 bench/pytorch_throughput.py --device cuda --batches 128,512     # the GPU bench's reference

Models: MLP 784-400-400-10 (Adam 1e-3) and PyCIL's CIFAR ResNet-32 with a 10-way linear head
(SGD lr 0.1 momentum 0.9), batch 128, cross-entropy, synthetic data already in memory.

Debian's python3-torch does its matrix products through the system libblas.so.3; with the
default reference BLAS the MLP runs ~40x slower. Install libopenblas0-pthread first (the script
reports which BLAS is loaded).
"""
import argparse
import math
import os
import sys
import time


def threads_from_argv():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10.0, help="timed seconds per model")
    parser.add_argument("--warmup", type=float, default=5.0, help="warm-up seconds per model")
    parser.add_argument("--device", default="cpu", help="cpu or cuda (the first GPU)")
    parser.add_argument("--batches", default="128", help="batch sizes for ResNet-32, comma-separated; the MLP uses 128")
    return parser.parse_args()


ARGS = threads_from_argv()
# OpenBLAS keeps its own thread pool; it reads this before torch loads it.
os.environ["OPENBLAS_NUM_THREADS"] = str(ARGS.threads)

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

DATA_BATCHES = 8  # distinct in-memory batches cycled through, so no step reuses the same tensor


class DownsampleA(nn.Module):
    """PyCIL convs/cifar_resnet.py: parameter-free shortcut (stride-2 subsample, zero channels)."""

    def __init__(self, stride):
        super().__init__()
        self.avg = nn.AvgPool2d(kernel_size=1, stride=stride)

    def forward(self, x):
        x = self.avg(x)
        return torch.cat((x, x.mul(0)), 1)


class BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv_a = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn_a = nn.BatchNorm2d(planes)
        self.conv_b = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn_b = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        residual = x if self.downsample is None else self.downsample(x)
        y = F.relu(self.bn_a(self.conv_a(x)), inplace=True)
        y = self.bn_b(self.conv_b(y))
        return F.relu(residual + y, inplace=True)


class CifarResNet32(nn.Module):
    """PyCIL convs/cifar_resnet.py resnet32 (3 stages x 5 blocks, 16/32/64 channels) + linear head."""

    def __init__(self, num_classes=10, depth=32):
        super().__init__()
        blocks = (depth - 2) // 6
        self.conv_1_3x3 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn_1 = nn.BatchNorm2d(16)
        self.inplanes = 16
        self.stage_1 = self._make_layer(16, blocks, 1)
        self.stage_2 = self._make_layer(32, blocks, 2)
        self.stage_3 = self._make_layer(64, blocks, 2)
        self.avgpool = nn.AvgPool2d(8)
        self.fc = nn.Linear(64, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                n = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
                m.weight.data.normal_(0, math.sqrt(2. / n))
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.data.fill_(1)
                m.bias.data.zero_()

    def _make_layer(self, planes, blocks, stride):
        downsample = DownsampleA(stride) if stride != 1 or self.inplanes != planes else None
        layers = [BasicBlock(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes
        layers += [BasicBlock(planes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = F.relu(self.bn_1(self.conv_1_3x3(x)), inplace=True)
        x = self.stage_3(self.stage_2(self.stage_1(x)))
        return self.fc(self.avgpool(x).flatten(1))


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 400), nn.ReLU(), nn.Linear(400, 400), nn.ReLU(),
                         nn.Linear(400, 10))


def measure(model, optimizer, input_shape, warmup_s, timed_s, batch, device):
    inputs = [torch.randn(batch, *input_shape, device=device) for _ in range(DATA_BATCHES)]
    targets = [torch.randint(0, 10, (batch,), device=device) for _ in range(DATA_BATCHES)]
    model.train()

    def synchronize():
        # CUDA kernels run asynchronously: the clock may only stop once they are done
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    def step(i):
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(inputs[i % DATA_BATCHES]), targets[i % DATA_BATCHES])
        loss.backward()
        optimizer.step()

    start, i = time.perf_counter(), 0
    while time.perf_counter() - start < warmup_s or i < 3:
        step(i)
        i += 1
    synchronize()
    start, steps = time.perf_counter(), 0
    while time.perf_counter() - start < timed_s or steps < 3:
        step(steps)
        steps += 1
    synchronize()
    elapsed = time.perf_counter() - start
    return steps * batch / elapsed, steps, elapsed


def loaded_blas():
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "libblas" in line or "openblas" in line}
    return ", ".join(sorted(os.path.realpath(p) for p in paths)) or "none found"


def main():
    args = ARGS
    torch.set_num_threads(args.threads)
    print(f"# torch {torch.__version__}, blas: {loaded_blas()}", file=sys.stderr, flush=True)
    torch.manual_seed(0)
    device = torch.device(args.device)
    where = f"device={device}" if device.type == "cuda" else f"threads={args.threads}"

    net = mlp().to(device)
    rate, steps, secs = measure(net, torch.optim.Adam(net.parameters(), lr=1e-3), (1, 28, 28),
                                args.warmup, args.seconds, 128, device)
    print(f"pytorch mlp 784-400-400 batch=128 {where}: {rate:.1f} images/s "
          f"({steps} steps in {secs:.1f} s, torch {torch.__version__})", flush=True)

    for batch in (int(b) for b in args.batches.split(",")):
        net = CifarResNet32().to(device)
        rate, steps, secs = measure(net, torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9), (3, 32, 32),
                                    args.warmup, args.seconds, batch, device)
        print(f"pytorch resnet32 batch={batch} {where}: {rate:.1f} images/s "
              f"({steps} steps in {secs:.1f} s, torch {torch.__version__})", flush=True)


if __name__ == "__main__":
    main()
