package org.mnemos.events;

import java.util.UUID;

/**
 * Records an experiment event: inserts a row into {@code events} and NOTIFYs in the caller's
 * transaction, so listeners never see an event whose state change was rolled back.
 */
public interface EventPublisher {

    /** @param data a JSON-serialisable object (record or map) */
    long publish(UUID experimentId, String type, Object data);
}
