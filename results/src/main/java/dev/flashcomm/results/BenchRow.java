package dev.flashcomm.results;

import java.util.Objects;

/**
 * One number {@code flashcomm bench} measured, as a row of its {@code --out} table.
 *
 * @param section {@code matmul}, {@code ppl}, {@code comm}, {@code tp} or {@code memory}
 * @param measure what was measured, e.g. {@code tokens_per_second}, {@code gb_per_second}, {@code peak_resident}
 * @param comm    the communication format, or "" where none applies
 * @param path    {@code fake}/{@code packed}, the implementation ({@code engine}/{@code host}), or ""
 * @param tp      the TP degree or rank count, 0 where none applies
 * @param unit    e.g. {@code GFLOP/s}, {@code tokens/s}, {@code s}, {@code MiB}, {@code x} for ratios
 * @param device  where it ran, e.g. {@code cpu()} or {@code gpu(0)}
 */
public record BenchRow(String section, String measure, String comm, String path, int tp, double value, String unit,
                       String device) {

    public BenchRow {
        Checks.requireName("section", section);
        Checks.requireName("measure", measure);
        Objects.requireNonNull(comm, "comm");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(device, "device");
        if (tp < 0) {
            throw new IllegalArgumentException("tp must be >= 0, got " + tp);
        }
    }
}
