package org.mnemos.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mnemos.engine.SpecException;
import org.mnemos.engine.spec.DatasetSpec;

class SyntheticDatasetTest {

    @Test
    void sameSeedGivesIdenticalBytesAndDifferentSeedDoesNot() {
        DatasetSplits a = new SyntheticDataset(4, 20, 5, 16, 3, 42).generate();
        DatasetSplits b = new SyntheticDataset(4, 20, 5, 16, 3, 42).generate();
        DatasetSplits c = new SyntheticDataset(4, 20, 5, 16, 3, 43).generate();
        assertThat(a.train().pixels()).isEqualTo(b.train().pixels());
        assertThat(a.test().pixels()).isEqualTo(b.test().pixels());
        assertThat(a.train().pixels()).isNotEqualTo(c.train().pixels());
        assertThat(a.train().size()).isEqualTo(80);
        assertThat(a.test().size()).isEqualTo(20);
        assertThat(a.train().channels()).isEqualTo(3);
        assertThat(a.numClasses()).isEqualTo(4);
    }

    @Test
    void defaultsFollowTheSpec() {
        DatasetSplits splits =
                SyntheticDataset.fromSpec(DatasetSpec.named("synthetic")).generate();
        assertThat(splits.train().size()).isEqualTo(5000);
        assertThat(splits.test().size()).isEqualTo(1000);
        assertThat(splits.train().height()).isEqualTo(28);
        assertThat(splits.train().channels()).isEqualTo(1);
        int[] perClass = new int[10];
        for (int label : splits.train().labels()) {
            perClass[label]++;
        }
        assertThat(perClass).containsOnly(500);
    }

    @Test
    void classesAreLearnableButSamplesVary() {
        // Nearest-class-mean on raw pixels must beat chance (10%) clearly, but not solve the task.
        DatasetSplits splits = new SyntheticDataset(10, 50, 20, 28, 1, 7).generate();
        ImageDataset train = splits.train();
        int d = train.imageBytes();
        double[][] means = new double[10][d];
        for (int i = 0; i < train.size(); i++) {
            for (int p = 0; p < d; p++) {
                means[train.labels()[i]][p] += (train.pixels()[i * d + p] & 0xff) / 50.0;
            }
        }
        ImageDataset test = splits.test();
        int correct = 0;
        for (int i = 0; i < test.size(); i++) {
            int best = -1;
            double bestDistance = Double.MAX_VALUE;
            for (int c = 0; c < 10; c++) {
                double distance = 0;
                for (int p = 0; p < d; p++) {
                    double diff = (test.pixels()[i * d + p] & 0xff) - means[c][p];
                    distance += diff * diff;
                }
                if (distance < bestDistance) {
                    bestDistance = distance;
                    best = c;
                }
            }
            correct += best == test.labels()[i] ? 1 : 0;
        }
        assertThat(correct / (double) test.size()).isBetween(0.3, 0.9);
        byte[] first = java.util.Arrays.copyOfRange(train.pixels(), 0, d);
        byte[] sameClass = java.util.Arrays.copyOfRange(train.pixels(), 10 * d, 11 * d);
        assertThat(train.labels()[10]).isEqualTo(train.labels()[0]);
        assertThat(first).isNotEqualTo(sameClass);
    }

    @Test
    void rejectsBadParametersWithTheSpecField() {
        assertThatThrownBy(() -> new SyntheticDataset(10, 5, 5, 28, 2, 1))
                .isInstanceOf(SpecException.class)
                .extracting(e -> ((SpecException) e).field())
                .isEqualTo("dataset.syntheticChannels");
    }
}
