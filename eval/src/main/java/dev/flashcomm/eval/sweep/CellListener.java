package dev.flashcomm.eval.sweep;

import dev.flashcomm.eval.Progress;
import java.util.List;

/** Told how a sweep advances: the CLI draws progress from it, tests count and interrupt cells through it. */
public interface CellListener {

    CellListener NONE = new CellListener() { };

    /**
     * Before the first model is loaded.
     *
     * @param toMeasure the cells this run computes, in order
     * @param resumed   cells of this shard found in the cache
     */
    default void planned(List<Cell> toMeasure, int resumed) {
    }

    /**
     * A cell starts; returns where to report the cell's own progress.
     *
     * @param ordinal 1-based among the cells of this shard
     * @param total   cells of this shard
     */
    default Progress started(Cell cell, int ordinal, int total) {
        return Progress.NONE;
    }

    /** A computed cell finished and is in the cache. */
    default void finished(Cell cell, CellResult result, double seconds) {
    }

    /** Something the user should know that is not a problem (what {@code --batch auto} chose). */
    default void note(String message) {
    }

    /** Something went wrong that the sweep recovers from (a damaged cache entry). */
    default void warning(String message) {
    }
}
