package dev.flashcomm.datasets;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * lm-eval's {@code exact_match} ({@code metrics.exact_match_hf_evaluate}): each of {@code regexes_to_ignore} is
 * removed ({@code re.sub(s, "", x)}) from the prediction <em>and</em> the reference, in order, then both are
 * lower-cased ({@code ignore_case}) and stripped of ASCII punctuation ({@code ignore_punctuation}), then compared.
 *
 * <p>The regexes are compiled with {@link Pattern#UNIX_LINES} so that {@code $} means what it means in Python
 * (end, or before a final {@code "\n"}; Java would also stop before {@code "\r"} or U+2028) and {@code .} stops at
 * {@code "\n"} only; {@code (?s)} works the same in both.
 */
public record ExactMatch(List<String> regexesToIgnore, boolean ignoreCase, boolean ignorePunctuation) {
    /** {@code gsm8k.yaml}: {@code ignore_case: true}, {@code ignore_punctuation: false} and these four regexes. */
    public static final ExactMatch GSM8K = new ExactMatch(List.of(",", "\\$", "(?s).*#### ", "\\.$"), true, false);

    /** Python's {@code string.punctuation}. */
    private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    public ExactMatch {
        regexesToIgnore = List.copyOf(regexesToIgnore);
        regexesToIgnore.forEach(r -> Pattern.compile(r, Pattern.UNIX_LINES));
    }

    /** 1 when the prediction equals the reference after the ignore rules, else 0. */
    public double score(String prediction, String reference) {
        return normalize(Objects.requireNonNull(prediction, "prediction"))
                .equals(normalize(Objects.requireNonNull(reference, "reference"))) ? 1 : 0;
    }

    /** The text as compared. */
    public String normalize(String text) {
        String s = text;
        for (String regex : regexesToIgnore) {
            s = Pattern.compile(regex, Pattern.UNIX_LINES).matcher(s).replaceAll("");
        }
        if (ignoreCase) {
            s = s.toLowerCase(Locale.ROOT);
        }
        if (ignorePunctuation) {
            StringBuilder kept = new StringBuilder(s.length());
            s.chars().filter(c -> PUNCTUATION.indexOf(c) < 0).forEach(c -> kept.append((char) c));
            s = kept.toString();
        }
        return s;
    }
}
