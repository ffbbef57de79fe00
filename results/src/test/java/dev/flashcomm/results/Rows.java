package dev.flashcomm.results;

/** Compact row construction for tests; the fields a test does not care about get plain defaults. */
final class Rows {

    private Rows() {
    }

    static ResultRow row(String model, int tp, String comm, String task, String metric, double value) {
        return row(model, tp, comm, "fake", task, metric, value);
    }

    static ResultRow row(String model, int tp, String comm, String path, String task, String metric, double value) {
        return ResultRow.measured(model, tp, comm, path, task, metric, value, Double.NaN, 100, 4096, 1.5,
                task.startsWith("ppl:") ? "gptq-ppl seq_len=256" : "lm-eval 0-shot", 1, "", "0.1.0");
    }
}
