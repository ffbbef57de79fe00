package dev.flashcomm.datasets;

import java.util.List;

/**
 * One document of a task: its requests, one per choice, and the index of the correct one.
 *
 * @param index the position of the item in its file, from 0
 */
public record TaskItem(int index, List<Choice> choices, int gold) {
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
    }

    /** The request of the correct choice. */
    public Choice goldChoice() {
        return choices.get(gold);
    }
}
