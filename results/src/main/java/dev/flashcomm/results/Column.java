package dev.flashcomm.results;

/** The columns of a results CSV, in file order. Readers look cells up by name, so the order may change. */
public enum Column {
    MODEL, TP, COMM, COMM_PATH, TASK, METRIC, VALUE, STDERR, N, BASELINE, DELTA, REL_DELTA, P_VALUE, TEST,
    BYTES_PER_FORWARD, WALL_SECONDS, PROTOCOL, TASK_VERSION, SETTINGS, TOOL_VERSION
}
