package org.mnemos.engine.spec;

/**
 * Which data set to read. {@code name} is a known data set ({@code mnist}, {@code fashion-mnist},
 * {@code cifar10}, {@code cifar100}, {@code imagefolder}, {@code synthetic}). {@code path} is only
 * for {@code imagefolder}: a path relative to one of the configured data roots. {@code imageSize}
 * is the square size ImageFolder images are resized to when loaded. The {@code synthetic*} fields
 * configure the generator; {@code syntheticTrainPerClass} and {@code syntheticTestPerClass} also size
 * {@code fashion-clutter}, the Food-101 stand-in rendered from Fashion-MNIST.
 */
public record DatasetSpec(
        String name,
        String path,
        Integer imageSize,
        Integer syntheticClasses,
        Integer syntheticTrainPerClass,
        Integer syntheticTestPerClass,
        Integer syntheticImageSize,
        Integer syntheticChannels) {

    public static DatasetSpec named(String name) {
        return new DatasetSpec(name, null, null, null, null, null, null, null);
    }
}
