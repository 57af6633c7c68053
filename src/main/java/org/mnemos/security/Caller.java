package org.mnemos.security;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Who sent a request: the id of the API key that authenticated it, and whether that key may see
 * and control every owner's experiments. Without configured keys there is one anonymous caller
 * who owns everything.
 */
public record Caller(String keyId, boolean admin) {

    static final String ATTRIBUTE = "mnemos.caller";

    /** The caller of a keyless install: no owner recorded, nothing hidden. */
    public static final Caller ANONYMOUS = new Caller(null, true);

    public static Caller of(HttpServletRequest request) {
        Object caller = request.getAttribute(ATTRIBUTE);
        return caller instanceof Caller known ? known : ANONYMOUS;
    }

    /** Whether this caller may see or control an experiment recorded with {@code ownerKeyId}. */
    public boolean mayAccess(String ownerKeyId) {
        return admin || (keyId != null && keyId.equals(ownerKeyId));
    }
}
