package dev.flashcomm.results;

/**
 * The score of one evaluation item, kept so that two comm formats can be compared on the same items.
 *
 * @param item   index of the item in its task (or of the window/document for perplexity); pairs items across formats
 * @param value  1.0 or 0.0 (correct) for accuracy metrics; the summed negative log-likelihood for perplexity
 * @param weight 1 for accuracy metrics; the number of scored tokens for perplexity
 */
public record ItemScore(int item, double value, long weight) {

    public ItemScore {
        if (item < 0) {
            throw new IllegalArgumentException("item index must be >= 0, got " + item);
        }
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("item " + item + ": value must be finite, got " + value);
        }
        if (weight < 1) {
            throw new IllegalArgumentException("item " + item + ": weight must be >= 1, got " + weight);
        }
    }
}
