package dev.flashcomm.tp.model;

/**
 * One rank's share of a sparse block's experts. With tensor-parallel experts every expert is present, cut to this
 * rank's columns of its intermediate dimension; with expert parallelism the rank holds its own experts whole and
 * the others are null. The shared expert (Qwen2-MoE) is split over its columns either way, or null when the family
 * has none.
 */
record RankExperts(GatedMlp[] experts, GatedMlp shared) {

    boolean holds(int expert) {
        return experts[expert] != null;
    }
}
