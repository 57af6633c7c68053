#!/usr/bin/python3
"""The PyTorch side of `bench/run.sh pytorch-interop` (run by PyTorchInteropBench; Debian python3-torch).

For one network of the run in --run: loads each phase's ?format=pytorch export (phase-K.zip) with
the load.py it carries and measures its CNN (and NME) top-1 on the test images of the phase's
classes; then trains a fresh network of phase 0's architecture on phase 0's classes (Adam 1e-3,
batch 64, --iterations steps, no augmentation), measures it, and saves it as safetensors with
__metadata__.classes for Mnemos's model.init. Writes the figures as JSON to --out.
"""
import argparse
import importlib.util
import json
import os
import struct
import zipfile

import torch
import torch.nn.functional as F


def read_split(data, name):
    with open(os.path.join(data, name + "-shape.json")) as f:
        shape = json.load(f)
    with open(os.path.join(data, name + "-images.u8"), "rb") as f:
        images = torch.frombuffer(bytearray(f.read()), dtype=torch.uint8).reshape(shape)
    with open(os.path.join(data, name + "-labels.i32"), "rb") as f:
        labels = torch.frombuffer(bytearray(f.read()), dtype=torch.int32).long()
    return images, labels


def of_classes(images, labels, classes):
    keep = torch.isin(labels, torch.tensor(classes))
    return images[keep], labels[keep]


def load_module(directory):
    spec = importlib.util.spec_from_file_location("load_" + os.path.basename(directory), os.path.join(directory, "load.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def accuracy(loader, model, config, images, labels, classifier):
    correct = 0
    for start in range(0, len(labels), 1000):
        predicted = loader.predict(model, config, images[start:start + 1000], classifier)
        correct += int((predicted == labels[start:start + 1000]).sum())
    return correct / len(labels)


def save_safetensors(path, tensors, metadata):
    header, chunks, offset = {"__metadata__": metadata}, [], 0
    names = {torch.float32: "F32", torch.int64: "I64"}
    for name, tensor in tensors.items():
        data = tensor.detach().contiguous().cpu().numpy().tobytes()
        header[name] = {"dtype": names[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for chunk in chunks:
            f.write(chunk)


def train_phase0(loader, config, images, labels, steps, seed):
    torch.manual_seed(seed)
    model = loader.Network(config)
    model.train()
    row_of = {label: row for row, label in enumerate(config["classes"])}
    targets = torch.tensor([row_of[int(label)] for label in labels])
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        batch = torch.randint(0, len(labels), (64,), generator=generator)
        loss = F.cross_entropy(model(loader.preprocess(config, images[batch])), targets[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model.eval()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--run", required=True)
    parser.add_argument("--phases", type=int, required=True)
    parser.add_argument("--iterations", type=int, required=True)
    parser.add_argument("--save", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    torch.set_num_threads(os.cpu_count())
    test_images, test_labels = read_split(args.data, "test")
    exports = []
    for phase in range(args.phases):
        directory = os.path.join(args.run, "phase-%d" % phase)
        with zipfile.ZipFile(directory + ".zip") as archive:
            archive.extractall(directory)
        loader = load_module(directory)
        model, config = loader.load(directory)
        images, labels = of_classes(test_images, test_labels, config["classes"])
        figures = {"images": len(labels), "cnn": accuracy(loader, model, config, images, labels, "cnn")}
        if "classMeans" in config:
            figures["nme"] = accuracy(loader, model, config, images, labels, "nme")
        exports.append(figures)

    directory = os.path.join(args.run, "phase-0")
    loader = load_module(directory)
    with open(os.path.join(directory, "config.json")) as f:
        config = json.load(f)
    train_images, train_labels = of_classes(*read_split(args.data, "train"), config["classes"])
    model = train_phase0(loader, config, train_images, train_labels, args.iterations, seed=0)
    images, labels = of_classes(test_images, test_labels, config["classes"])
    trained = {"cnn": accuracy(loader, model, config, images, labels, "cnn"), "steps": args.iterations}
    save_safetensors(args.save, model.state_dict(), {"classes": json.dumps(config["classes"]), "format": "pt"})
    with open(args.out, "w") as f:
        json.dump({"exports": exports, "trained": trained}, f)


if __name__ == "__main__":
    main()
