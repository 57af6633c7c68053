"""Builds a Mnemos phase's network in plain PyTorch and loads model.safetensors into it.

    import load
    model, config = load.load("path/to/unzipped/checkpoint")
    labels = load.predict(model, config, images)   # images: uint8 (N, H, W, C), original data-set labels out

The tensor names are those of G-U-N/PyCIL's state_dict (utils/inc_net.py IncrementalNet /
CosineIncrementalNet / IncrementalNetWithBias over convs/cifar_resnet.py, ucir_cifar_resnet.py or
resnet.py), so `model.convnet` and `model.fc` also load into PyCIL's own classes.
Run `python3 load.py DIR` to load and print a summary. Needs torch (>= 1.13); uses the
`safetensors` package when installed and a small reader of the same format otherwise.
"""
import json
import os
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
          "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
          "BOOL": torch.bool}


def read_safetensors(path):
    try:
        from safetensors.torch import load_file
        return load_file(path)
    except ImportError:
        pass
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        dtype = DTYPES[entry["dtype"]]
        flat = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype) if end > begin else torch.empty(0, dtype=dtype)
        tensors[name] = flat.reshape(entry["shape"]).clone()
    return tensors


def conv(cin, cout, kernel, stride):
    return nn.Conv2d(cin, cout, kernel_size=kernel, stride=stride, padding=kernel // 2, bias=False)


class Projection(nn.Module):  # PyCIL DownsampleB
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = conv(cin, cout, 1, 2)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return self.bn(self.conv(x))


class CifarBlock(nn.Module):  # PyCIL ResNetBasicblock
    def __init__(self, cin, cout, stride, projection, relu):
        super().__init__()
        self.conv_a, self.bn_a = conv(cin, cout, 3, stride), nn.BatchNorm2d(cout)
        self.conv_b, self.bn_b = conv(cout, cout, 3, 1), nn.BatchNorm2d(cout)
        changes = stride != 1 or cin != cout
        self.downsample = Projection(cin, cout) if changes and projection else None
        self.zero_pad = changes and not projection
        self.relu = relu

    def forward(self, x):
        out = self.bn_b(self.conv_b(F.relu(self.bn_a(self.conv_a(x)))))
        if self.downsample is not None:
            x = self.downsample(x)
        elif self.zero_pad:  # PyCIL DownsampleA: subsample by 2, append as many zero channels
            x = x[:, :, ::2, ::2]
            x = torch.cat((x, x.mul(0)), 1)
        out = out + x
        return F.relu(out) if self.relu else out


class CifarResNet(nn.Module):
    def __init__(self, channels, blocks, projection, last_relu):
        super().__init__()
        self.conv_1_3x3, self.bn_1 = conv(channels, 16, 3, 1), nn.BatchNorm2d(16)
        cin = 16
        for s, width in enumerate((16, 32, 64)):
            layers = []
            for b in range(blocks):
                last = s == 2 and b == blocks - 1
                layers.append(CifarBlock(cin, width, 2 if s > 0 and b == 0 else 1, projection, last_relu or not last))
                cin = width
            setattr(self, "stage_%d" % (s + 1), nn.Sequential(*layers))
        if not projection:
            self.fc = nn.Linear(64, 10)  # PyCIL's CifarResNet declares it and never calls it

    def forward(self, x):
        x = F.relu(self.bn_1(self.conv_1_3x3(x)))
        x = self.stage_3(self.stage_2(self.stage_1(x)))
        return x.mean(dim=(2, 3))


class Block18(nn.Module):
    def __init__(self, cin, cout, stride, relu):
        super().__init__()
        self.conv1, self.bn1 = conv(cin, cout, 3, stride), nn.BatchNorm2d(cout)
        self.conv2, self.bn2 = conv(cout, cout, 3, 1), nn.BatchNorm2d(cout)
        self.downsample = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
                           if stride != 1 or cin != cout else None)
        self.relu = relu

    def forward(self, x):
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        out = out + (self.downsample(x) if self.downsample is not None else x)
        return F.relu(out) if self.relu else out


class ResNet18(nn.Module):
    def __init__(self, channels, small_input, last_relu):
        super().__init__()
        if small_input:
            self.conv1 = nn.Sequential(conv(channels, 64, 3, 1), nn.BatchNorm2d(64), nn.ReLU())
        else:
            self.conv1 = nn.Sequential(conv(channels, 64, 7, 2), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1))
        cin = 64
        for s, width in enumerate((64, 128, 256, 512)):
            stride = 1 if s == 0 else 2
            last = s == 3
            setattr(self, "layer%d" % (s + 1), nn.Sequential(
                Block18(cin, width, stride, True), Block18(width, width, 1, last_relu or not last)))
            cin = width

    def forward(self, x):
        x = self.layer4(self.layer3(self.layer2(self.layer1(self.conv1(x)))))
        return x.mean(dim=(2, 3))


class Mlp(nn.Module):
    def __init__(self, inputs, hidden):
        super().__init__()
        sizes = [inputs] + list(hidden)
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))

    def forward(self, x):
        x = x.reshape(x.shape[0], -1)
        for layer in self.hidden:
            x = F.relu(layer(x))
        return x


class CosineLinear(nn.Module):
    def __init__(self, dim, rows, sigma):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(rows, dim))
        if sigma:
            self.sigma = nn.Parameter(torch.ones(1))


class CosineHead(nn.Module):
    """PyCIL CosineLinear (one segment) or SplitCosineLinear (fc1: earlier segments, fc2: the last)."""

    def __init__(self, dim, segments, proxies):
        super().__init__()
        self.proxies = proxies
        if len(segments) == 1:
            self.weight = nn.Parameter(torch.zeros(segments[0] * proxies, dim))
        else:
            self.fc1 = CosineLinear(dim, sum(segments[:-1]) * proxies, False)
            self.fc2 = CosineLinear(dim, segments[-1] * proxies, False)
        self.sigma = nn.Parameter(torch.ones(1))

    def forward(self, features):
        weight = self.weight if hasattr(self, "weight") else torch.cat((self.fc1.weight, self.fc2.weight))
        out = F.linear(F.normalize(features, p=2, dim=1), F.normalize(weight, p=2, dim=1))
        if self.proxies > 1:  # PyCIL reduce_proxies: softmax attention over each class's proxies
            per_class = out.view(out.shape[0], -1, self.proxies)
            out = (F.softmax(per_class, dim=-1) * per_class).sum(-1)
        return self.sigma * out


class BiasLayer(nn.Module):  # PyCIL BiasLayer_BIC
    def __init__(self):
        super().__init__()
        self.alpha = nn.Parameter(torch.ones(1))
        self.beta = nn.Parameter(torch.zeros(1))


class Network(nn.Module):
    def __init__(self, config):
        super().__init__()
        backbone, channels = config["backbone"], config["inputChannels"]
        if backbone in ("resnet32", "resnet8"):
            self.convnet = CifarResNet(channels, config["blocksPerStage"], config["shortcut"] == "projection", config["lastRelu"])
        elif backbone == "resnet18":
            self.convnet = ResNet18(channels, config["smallInput"], config["lastRelu"])
        elif backbone == "mlp":
            height, width = config["imageSize"]
            self.convnet = Mlp(channels * height * width, config["hiddenUnits"])
        else:
            raise ValueError("unknown backbone " + backbone)
        dim, segments = config["featureDim"], config["segments"]
        if config["head"] == "linear":
            self.fc = nn.Linear(dim, sum(segments))
        else:
            self.fc = CosineHead(dim, segments, config["proxiesPerClass"])
        self.segments = segments
        if config["biasCorrection"]:
            self.bias_layers = nn.ModuleList(BiasLayer() for _ in segments)

    def features(self, x):
        return self.convnet(x)

    def forward(self, x):
        logits = self.fc(self.features(x))
        if hasattr(self, "bias_layers"):
            start, parts = 0, []
            for layer, size in zip(self.bias_layers, self.segments):
                parts.append(layer.alpha * logits[:, start:start + size] + layer.beta)
                start += size
            logits = torch.cat(parts, 1)
        return logits


def load(directory):
    """The network of the checkpoint in `directory` (model.safetensors + config.json), in eval mode."""
    with open(os.path.join(directory, "config.json")) as f:
        config = json.load(f)
    model = Network(config)
    model.load_state_dict(read_safetensors(os.path.join(directory, "model.safetensors")), strict=True)
    return model.eval(), config


def preprocess(config, images):
    """uint8 (N, H, W, C) images -> the normalised, centre-cropped float (N, C, h, w) the network takes."""
    x = torch.as_tensor(images).float()
    height, width = config["imageSize"]
    top, left = (x.shape[1] - height) // 2, (x.shape[2] - width) // 2
    x = x[:, top:top + height, left:left + width, :]
    mean = torch.tensor(config["normalization"]["mean"])
    std = torch.tensor(config["normalization"]["std"])
    return ((x / 255 - mean) / std).permute(0, 3, 1, 2).contiguous()


@torch.no_grad()
def predict(model, config, images, classifier=None):
    """Original data-set labels of uint8 (N, H, W, C) images by the reported classifier (or `classifier`: cnn, nme)."""
    x = preprocess(config, images)
    rule = classifier or config["reportedClassifier"]
    if rule == "nme":
        means = torch.tensor(config["classMeans"])
        outputs = F.normalize(model.features(x), p=2, dim=1) @ means.t()
    else:
        outputs = model(x)
    classes = torch.tensor(config["classes"])
    return classes[outputs.argmax(1)]


if __name__ == "__main__":
    net, cfg = load(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
    print("%s, %s head, %d classes, %d tensors, reported classifier %s" % (
        cfg["backbone"], cfg["head"], cfg["classesSeen"], len(net.state_dict()), cfg["reportedClassifier"]))
