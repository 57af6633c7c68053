package org.mnemos.engine.spec;

/**
 * Masks from the class activation map of each image's true class (the head's weights over the last
 * feature maps), min-max normalised and bilinearly resized to the image. Null fields take the defaults.
 *
 * @param ratio r: the area outside the mask's box is downsampled by √r per side (default 4)
 * @param threshold the CAM value above which a pixel is in the mask (default 0.6)
 */
public record CamCompressionSpec(String name, Double ratio, Double threshold) implements CompressionSpec {

    public static final String NAME = "cam";

    public CamCompressionSpec resolved() {
        return new CamCompressionSpec(
                NAME, ratio == null ? DEFAULT_RATIO : ratio, threshold == null ? DEFAULT_THRESHOLD : threshold);
    }
}
