package dev.flashcomm.results;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Names comm formats in messages and tables. A format normally runs over one path, and then its name is enough; when
 * a row set holds several paths of one format, the path is added ({@code int4-asym-g128/ring}) to tell them apart.
 */
final class CommLabels {

    private final Set<String> multiPath = new HashSet<>();

    CommLabels(List<ResultRow> rows) {
        Map<String, String> firstPath = new HashMap<>();
        for (ResultRow row : rows) {
            String path = firstPath.putIfAbsent(row.comm(), row.commPath());
            if (path != null && !path.equals(row.commPath())) {
                multiPath.add(row.comm());
            }
        }
    }

    String comm(ResultRow row) {
        return multiPath.contains(row.comm()) ? row.comm() + "/" + row.commPath() : row.comm();
    }

    /** E.g. {@code llama3-tiny tp=2 int4-asym-g128 piqa acc}. */
    String cell(ResultRow row) {
        return row.model() + " tp=" + row.tp() + " " + comm(row) + " " + row.task() + " " + row.metric();
    }
}
