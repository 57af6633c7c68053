"""Writes tiny CIFAR-100 python-format fixtures with the local numpy (2.x) and Python 3 pickle.

The layout matches cifar-100-python/{train,test,meta} (test gzipped as test.gz), but keys are
bytes (as in the official files read back with encoding='bytes' and re-pickled). Image i has
value (i*50 + channel*10 + row + col) at (row, col, channel), so a reader can check HWC placement.
Run from this directory: python3 make_fixtures.py
"""
import gzip
import os
import pickle

import numpy as np


def images(n):
    data = np.zeros((n, 3, 32, 32), dtype=np.uint8)
    for i in range(n):
        for c in range(3):
            rows, cols = np.indices((32, 32))
            data[i, c] = (i * 50 + c * 10 + rows + cols) % 256
    return data.reshape(n, 3072)


def split(n, fine):
    return {
        b'filenames': [b'img_%d.png' % i for i in range(n)],
        b'batch_label': b'fixture',
        b'fine_labels': fine,
        b'coarse_labels': [f // 5 for f in fine],
        b'data': images(n),
    }


os.makedirs('cifar-100-python', exist_ok=True)
with open('cifar-100-python/train', 'wb') as f:
    pickle.dump(split(3, [0, 99, 42]), f, protocol=2)
with gzip.open('cifar-100-python/test.gz', 'wb') as f:
    pickle.dump(split(2, [7, 1]), f, protocol=2)
with open('cifar-100-python/meta', 'wb') as f:
    pickle.dump({b'fine_label_names': [b'fine%d' % i for i in range(100)],
                 b'coarse_label_names': [b'coarse%d' % i for i in range(20)]}, f, protocol=2)
