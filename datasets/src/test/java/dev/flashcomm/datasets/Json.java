package dev.flashcomm.datasets;

/** Lets tests write JSON lines with single quotes; the samples avoid apostrophes in their text. */
final class Json {
    private Json() {
    }

    static String j(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }
}
