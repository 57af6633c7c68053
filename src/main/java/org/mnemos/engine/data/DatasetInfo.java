package org.mnemos.engine.data;

import java.util.List;

/** What the catalog knows of a data set without loading its images. */
public record DatasetInfo(
        String name,
        String description,
        int height,
        int width,
        int channels,
        List<String> classNames,
        boolean available) {}
