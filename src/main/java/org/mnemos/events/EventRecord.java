package org.mnemos.events;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A stored event; {@code data} is the JSON text as stored. */
public record EventRecord(long seq, UUID experimentId, String type, String data, OffsetDateTime createdAt) {

    public boolean terminal() {
        return EventTypes.isTerminal(type);
    }
}
