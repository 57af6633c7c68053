package org.mnemos.events;

import java.io.IOException;

/** Receives one subscriber's events, in seq order, on the listener's fan-out threads. */
public interface EventSink {

    /** @throws IOException when the client is gone; the subscription is then closed */
    void send(EventRecord event) throws IOException;

    /** The subscription ended without the subscriber asking: send failed, or the service is stopping. */
    void closed(Throwable cause);
}
