package dev.flashcomm.results;

import java.util.Objects;

/** Argument checks shared by the records of this module. */
final class Checks {

    private Checks() {
    }

    /** A name goes into CSV cells and one-line messages, so it must be non-blank and on one line. */
    static String requireName(String what, String value) {
        Objects.requireNonNull(value, what);
        if (value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
        if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
            throw new IllegalArgumentException(what + " must be on one line: '" + value + "'");
        }
        return value;
    }
}
