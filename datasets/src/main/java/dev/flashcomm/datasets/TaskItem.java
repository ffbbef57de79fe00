package dev.flashcomm.datasets;

import java.util.List;

/**
 * One document of a task: its requests, one per choice, and the index of the correct one.
 *
 * @param index            the position of the item in its file, from 0
 * @param fewshotExamples  the positions, in the few-shot pool's file, of the examples put in front of every
 *                         context, in prompt order (empty at 0 shots); results can log them
 */
public record TaskItem(int index, List<Choice> choices, int gold, List<Integer> fewshotExamples) {
    public TaskItem {
        if (index < 0) {
            throw new IllegalArgumentException("index must be >= 0, got " + index);
        }
        choices = List.copyOf(choices);
        if (choices.isEmpty()) {
            throw new IllegalArgumentException("an item needs at least one choice");
        }
        if (gold < 0 || gold >= choices.size()) {
            throw new IllegalArgumentException("gold " + gold + " out of range for " + choices.size() + " choices");
        }
        fewshotExamples = List.copyOf(fewshotExamples);
    }

    /** A zero-shot item. */
    public TaskItem(int index, List<Choice> choices, int gold) {
        this(index, choices, gold, List.of());
    }

    /** The request of the correct choice. */
    public Choice goldChoice() {
        return choices.get(gold);
    }
}
