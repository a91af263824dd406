package org.fedcxr.report;

import java.util.ArrayList;
import java.util.List;

/** A table of already formatted cells, written as CSV, Markdown or HTML, so every rendering shows the same text. */
public final class Table {
  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();

  public Table(List<String> header) {
    this.header = List.copyOf(header);
  }

  public Table add(List<String> row) {
    if (row.size() != header.size()) {
      throw new IllegalArgumentException("row has " + row.size() + " cells, header " + header.size());
    }
    rows.add(List.copyOf(row));
    return this;
  }

  public String csv() {
    StringBuilder sb = new StringBuilder(csvLine(header));
    rows.forEach(r -> sb.append(csvLine(r)));
    return sb.toString();
  }

  public String markdown() {
    StringBuilder sb = new StringBuilder("| " + String.join(" | ", header) + " |\n|");
    header.forEach(h -> sb.append(" --- |"));
    sb.append('\n');
    rows.forEach(r -> sb.append("| ").append(String.join(" | ", r)).append(" |\n"));
    return sb.toString();
  }

  public String html() {
    StringBuilder sb = new StringBuilder("<table>\n<tr>");
    header.forEach(h -> sb.append("<th>").append(Html.escape(h)).append("</th>"));
    sb.append("</tr>\n");
    for (List<String> r : rows) {
      sb.append("<tr>");
      r.forEach(c -> sb.append("<td>").append(Html.escape(c)).append("</td>"));
      sb.append("</tr>\n");
    }
    return sb.append("</table>\n").toString();
  }

  private static String csvLine(List<String> cells) {
    List<String> quoted = new ArrayList<>();
    for (String c : cells) {
      quoted.add(c.contains(",") || c.contains("\"") ? "\"" + c.replace("\"", "\"\"") + "\"" : c);
    }
    return String.join(",", quoted) + "\n";
  }

  /** HTML escaping for text and attribute values. */
  static final class Html {
    private Html() {
    }

    static String escape(String s) {
      return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
  }
}
