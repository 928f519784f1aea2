package io.lrok.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The result table: one row per metric with the lrok, raw TCP and Go yamux columns and the two ratios of medians,
 * then the targets. Renders as aligned text for the terminal and as Markdown for {@code --out}.
 */
final class Report {
    private static final List<String> HEADER = List.of("metric", "lrok (Java)", "raw TCP", "Go yamux", "lrok/raw", "lrok/Go");

    /** One column of a row: measured samples, or a note saying why there are none. */
    record Cell(Samples samples, String note) {
        static Cell of(Samples samples) {
            return new Cell(samples, null);
        }

        static Cell missing(String note) {
            return new Cell(null, note);
        }
    }

    /**
     * @param metric   what was measured, with its unit
     * @param decimals decimals to show
     */
    record Row(String metric, int decimals, Cell lrok, Cell raw, Cell go) {
    }

    /** @param met whether the target is met, or null when it could not be judged */
    record Target(String goal, String actual, Boolean met) {
        String verdict() {
            return met == null ? "not judged" : met ? "met" : "MISSED";
        }
    }

    private final List<String> preamble = new ArrayList<>();
    private final List<Row> rows = new ArrayList<>();
    private final List<Target> targets = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    void preamble(String line) {
        preamble.add(line);
    }

    void add(Row row) {
        rows.add(row);
    }

    void target(Target target) {
        targets.add(target);
    }

    void note(String line) {
        notes.add(line);
    }

    String text() {
        List<List<String>> cells = cells();
        int[] widths = new int[HEADER.size()];
        for (List<String> line : cells) {
            for (int c = 0; c < widths.length; c++) widths[c] = Math.max(widths[c], line.get(c).length());
        }
        StringBuilder sb = new StringBuilder();
        preamble.forEach(p -> sb.append(p).append('\n'));
        sb.append('\n');
        for (int r = 0; r < cells.size(); r++) {
            List<String> line = cells.get(r);
            for (int c = 0; c < widths.length; c++) {
                if (c > 0) sb.append(" | ");
                sb.append(c == 0 ? padRight(line.get(c), widths[c]) : padLeft(line.get(c), widths[c]));
            }
            sb.append('\n');
            if (r == 0) {
                for (int c = 0; c < widths.length; c++) sb.append(c > 0 ? "-+-" : "").append("-".repeat(widths[c]));
                sb.append('\n');
            }
        }
        sb.append('\n');
        if (!targets.isEmpty()) sb.append("Targets:\n");
        for (Target t : targets) sb.append("  ").append(t.goal()).append(": ").append(t.actual()).append("  ").append(t.verdict()).append('\n');
        notes.forEach(n -> sb.append(n).append('\n'));
        return sb.toString();
    }

    String markdown() {
        List<List<String>> cells = cells();
        StringBuilder sb = new StringBuilder();
        preamble.forEach(p -> sb.append(p).append("  \n"));
        sb.append('\n');
        for (int r = 0; r < cells.size(); r++) {
            sb.append("| ").append(String.join(" | ", cells.get(r).stream().map(s -> s.replace("|", "\\|")).toList())).append(" |\n");
            if (r == 0) sb.append("|---|---:|---:|---:|---:|---:|\n");
        }
        sb.append('\n');
        if (!targets.isEmpty()) sb.append("Targets:\n\n");
        for (Target t : targets) sb.append("- ").append(t.goal()).append(": ").append(t.actual()).append(" — **").append(t.verdict()).append("**\n");
        if (!notes.isEmpty()) sb.append('\n');
        notes.forEach(n -> sb.append(n).append("  \n"));
        return sb.toString();
    }

    private List<List<String>> cells() {
        List<List<String>> lines = new ArrayList<>();
        lines.add(HEADER);
        for (Row row : rows) {
            lines.add(List.of(row.metric(), cell(row.lrok(), row.decimals()), cell(row.raw(), row.decimals()),
                    cell(row.go(), row.decimals()), ratio(row.lrok(), row.raw()), ratio(row.lrok(), row.go())));
        }
        return lines;
    }

    private static String cell(Cell cell, int decimals) {
        if (cell.samples() == null) return cell.note();
        Samples s = cell.samples();
        String median = number(s.median(), decimals);
        return s.count() == 1 ? median : median + " (" + number(s.min(), decimals) + "-" + number(s.max(), decimals) + ")";
    }

    private static String ratio(Cell lrok, Cell other) {
        if (lrok.samples() == null || other.samples() == null || other.samples().median() == 0) return "n/a";
        return ratio(lrok.samples().median() / other.samples().median());
    }

    static String ratio(double r) {
        return String.format(Locale.ROOT, "%.2fx", r);
    }

    static String number(double v, int decimals) {
        return String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }

    private static String padRight(String s, int width) {
        return s + " ".repeat(width - s.length());
    }

    private static String padLeft(String s, int width) {
        return " ".repeat(width - s.length()) + s;
    }
}
