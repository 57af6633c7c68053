#!/usr/bin/python3
"""Writes pycil_state_dict.json: the state_dict key names and shapes of PyCIL's networks.

Run with Debian's interpreter (it has python3-torch):
    /usr/bin/python3 src/test/resources/reference/generate_pycil_state_dict.py

The networks are built here from torch primitives with the module names of G-U-N/PyCIL at commit
87cc4110d60765dc3f64af7ef7a693efed8418ff (read, not copied), so that the names and shapes are
what PyCIL's own `state_dict()` holds:
  * convs/cifar_resnet.py `resnet32()` / `resnet32mnist()`: conv_1_3x3 + bn_1, stage_1..3 of
    ResNetBasicblock (conv_a, bn_a, conv_b, bn_b), DownsampleA (no parameters), and the class's own
    `fc = nn.Linear(64, 10)`, declared but never called in forward;
  * convs/ucir_cifar_resnet.py `resnet32()` (get_convnet's `cosine_resnet32`): the same with
    DownsampleB (downsample.conv, downsample.bn) and no fc;
  * convs/resnet.py `resnet18(args={"dataset": "cifar..."})`: conv1 = Sequential(conv3x3, BN, ReLU),
    layer1..4 of BasicBlock (conv1, bn1, conv2, bn2, downsample = Sequential(conv1x1, BN));
  * convs/linears.py SimpleLinear (weight, bias), CosineLinear (weight (classes*proxies, D), sigma),
    SplitCosineLinear (fc1, fc2 without sigma, its own sigma);
  * utils/inc_net.py IncrementalNet (convnet, fc), CosineIncrementalNet (update_fc: CosineLinear
    for the first task, SplitCosineLinear after), IncrementalNetWithBias (bias_layers of
    BiasLayer_BIC: alpha, beta).
Each configuration's comment names the Mnemos network PyCilStateDictTest builds for it.
"""
import json
import os

import torch
import torch.nn as nn


def batch_norm(channels):
    return nn.BatchNorm2d(channels)


def conv(cin, cout, kernel, stride):
    return nn.Conv2d(cin, cout, kernel_size=kernel, stride=stride, padding=kernel // 2, bias=False)


class ProjectionShortcut(nn.Module):  # PyCIL DownsampleB
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = conv(cin, cout, 1, 2)
        self.bn = batch_norm(cout)


class CifarBlock(nn.Module):  # PyCIL ResNetBasicblock
    def __init__(self, cin, cout, stride, projection):
        super().__init__()
        self.conv_a = conv(cin, cout, 3, stride)
        self.bn_a = batch_norm(cout)
        self.conv_b = conv(cout, cout, 3, 1)
        self.bn_b = batch_norm(cout)
        self.downsample = ProjectionShortcut(cin, cout) if projection and (stride != 1 or cin != cout) else None


class CifarResNet(nn.Module):
    def __init__(self, blocks, channels, projection):
        super().__init__()
        self.conv_1_3x3 = conv(channels, 16, 3, 1)
        self.bn_1 = batch_norm(16)
        cin = 16
        for index, width in enumerate((16, 32, 64)):
            stride = 1 if index == 0 else 2
            layers = []
            for b in range(blocks):
                layers.append(CifarBlock(cin, width, stride if b == 0 else 1, projection))
                cin = width
            setattr(self, "stage_%d" % (index + 1), nn.Sequential(*layers))
        if not projection:
            self.fc = nn.Linear(64, 10)  # declared by convs/cifar_resnet.py, unused in forward


class Block18(nn.Module):  # torchvision/PyCIL BasicBlock
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = conv(cin, cout, 3, stride)
        self.bn1 = batch_norm(cout)
        self.conv2 = conv(cout, cout, 3, 1)
        self.bn2 = batch_norm(cout)
        self.downsample = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), batch_norm(cout))
                           if stride != 1 or cin != cout else None)


class ResNet18(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Sequential(conv(channels, 64, 3, 1), batch_norm(64), nn.ReLU(inplace=True))
        cin = 64
        for index, width in enumerate((64, 128, 256, 512)):
            stride = 1 if index == 0 else 2
            setattr(self, "layer%d" % (index + 1), nn.Sequential(Block18(cin, width, stride), Block18(width, width, 1)))
            cin = width


class SimpleLinear(nn.Module):
    def __init__(self, dim, classes):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(classes, dim))
        self.bias = nn.Parameter(torch.zeros(classes))


class CosineLinear(nn.Module):
    def __init__(self, dim, rows, sigma=True):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(rows, dim))
        if sigma:
            self.sigma = nn.Parameter(torch.ones(1))


class SplitCosineLinear(nn.Module):
    def __init__(self, dim, old_rows, new_rows):
        super().__init__()
        self.fc1 = CosineLinear(dim, old_rows, sigma=False)
        self.fc2 = CosineLinear(dim, new_rows, sigma=False)
        self.sigma = nn.Parameter(torch.ones(1))


class BiasLayer(nn.Module):  # BiasLayer_BIC
    def __init__(self):
        super().__init__()
        self.alpha = nn.Parameter(torch.ones(1))
        self.beta = nn.Parameter(torch.zeros(1))


class Net(nn.Module):
    """IncrementalNet / CosineIncrementalNet / IncrementalNetWithBias after the given tasks."""

    def __init__(self, convnet, dim, tasks, cosine=False, proxies=1, bias_layers=False):
        super().__init__()
        self.convnet = convnet
        seen = sum(tasks)
        if not cosine:
            self.fc = SimpleLinear(dim, seen)
        elif len(tasks) == 1:
            self.fc = CosineLinear(dim, seen * proxies)
        else:
            self.fc = SplitCosineLinear(dim, (seen - tasks[-1]) * proxies, tasks[-1] * proxies)
        if bias_layers:
            self.bias_layers = nn.ModuleList([BiasLayer() for _ in tasks])


def layout(net):
    return [[name, list(tensor.shape)] for name, tensor in net.state_dict().items()]


CONFIGS = {
    # IncrementalNet(resnet32) on CIFAR after two tasks of 10: Mnemos resnet32, zeroPad, linear head
    "resnet32_linear_cifar": Net(CifarResNet(5, 3, False), 64, [10, 10]),
    # resnet32mnist on Split-MNIST after two tasks of 2
    "resnet32_linear_mnist": Net(CifarResNet(5, 1, False), 64, [2, 2]),
    # CosineIncrementalNet(cosine_resnet32) (LUCIR) after one and after three tasks of 10
    "resnet32_cosine_one_task": Net(CifarResNet(5, 3, True), 64, [10], cosine=True),
    "resnet32_cosine_three_tasks": Net(CifarResNet(5, 3, True), 64, [10, 10, 10], cosine=True),
    # PODNet: CosineIncrementalNet with 10 proxies per class after two tasks
    "resnet32_lsc_two_tasks": Net(CifarResNet(5, 3, True), 64, [10, 10], cosine=True, proxies=10),
    # IncrementalNetWithBias(resnet32) (BiC) after two tasks
    "resnet32_bic_two_tasks": Net(CifarResNet(5, 3, False), 64, [10, 10], bias_layers=True),
    # IncrementalNet(resnet18, CIFAR stem) after two tasks
    "resnet18_linear_cifar": Net(ResNet18(3), 512, [10, 10]),
}


def main():
    out = {name: layout(net) for name, net in CONFIGS.items()}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pycil_state_dict.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
