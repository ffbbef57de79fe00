package dev.flashcomm.results;

/** The columns of a per-item scores CSV, in file order. */
enum ItemColumn {
    MODEL, TP, COMM, TASK, METRIC, ITEM, VALUE, WEIGHT
}
