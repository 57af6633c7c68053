package org.mnemos.engine.memory;

/** How an exemplar came to be: a stored training image, or one a method produced. */
public enum ExemplarKind {
    REAL,
    OPTIMIZED,
    COMPRESSED,
    SYNTHETIC;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
