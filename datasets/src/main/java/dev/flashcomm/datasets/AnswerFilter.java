package dev.flashcomm.datasets;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GSM8K's two answer filters (lm-eval {@code gsm8k.yaml} {@code filter_list}): a {@code regex} filter, then
 * {@code take_first} (one generation per document, so the first is the only one).
 *
 * <p>lm-eval's {@code RegexFilter} runs Python's {@code re.findall}: with one group it yields the group's text, with
 * several a tuple of every group's text ({@code ""} for a group that did not take part), of which the first
 * non-empty one is kept; {@code group_select} indexes the list of matches (−1: the last); the result is
 * {@code strip()}ped; no match (or an all-empty tuple) gives {@code "[invalid]"}. Both patterns mean the same in
 * {@code java.util.regex} (no {@code $}, {@code .} or flags involved).
 */
public enum AnswerFilter {
    /** {@code "#### (\-?[0-9\.\,]+)"}, first match: the answer line the few-shot examples teach. */
    STRICT_MATCH("strict-match", "#### (\\-?[0-9\\.\\,]+)", 0),
    /** {@code "(-?[$0-9.,]{2,})|(-?[0-9]+)"}, last match: the last number anywhere in the text. */
    FLEXIBLE_EXTRACT("flexible-extract", "(-?[$0-9.,]{2,})|(-?[0-9]+)", -1);

    /** lm-eval's {@code RegexFilter} fallback. */
    public static final String INVALID = "[invalid]";

    private final String lmEvalName;
    private final Pattern pattern;
    private final int groupSelect;

    AnswerFilter(String lmEvalName, String regex, int groupSelect) {
        this.lmEvalName = lmEvalName;
        this.pattern = Pattern.compile(regex);
        this.groupSelect = groupSelect;
    }

    /** The filter's name in lm-eval's results ({@code "strict-match"}, {@code "flexible-extract"}). */
    public String lmEvalName() {
        return lmEvalName;
    }

    /** The filtered answer of one generation, or {@link #INVALID}. */
    public String apply(String generation) {
        List<String> matches = findall(generation == null ? "" : generation);
        if (matches.isEmpty()) {
            return INVALID;
        }
        int at = groupSelect < 0 ? matches.size() + groupSelect : groupSelect;
        String match = matches.get(at);
        return match == null ? INVALID : PyText.strip(match);
    }

    /** {@code re.findall}: per match the group text, or the first non-empty group of several (null if none). */
    private List<String> findall(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        int groups = m.groupCount();
        while (m.find()) {
            if (groups == 0) {
                out.add(m.group());
            } else if (groups == 1) {
                out.add(m.group(1) == null ? "" : m.group(1));
            } else {
                String first = null;
                for (int g = 1; g <= groups && first == null; g++) {
                    String s = m.group(g);
                    if (s != null && !s.isEmpty()) {
                        first = s;
                    }
                }
                out.add(first);
            }
        }
        return out;
    }
}
