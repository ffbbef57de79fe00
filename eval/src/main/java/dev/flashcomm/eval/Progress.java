package dev.flashcomm.eval;

/** Told how far a long run has come; the CLI draws a bar, tests and libraries pass {@link #NONE}. */
@FunctionalInterface
public interface Progress {

    Progress NONE = (done, total) -> { };

    void update(long done, long total);
}
