package org.fedcxr.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * libtorch's operator profile (the Chrome trace {@code JniUtils.stopProfile} writes) summed by operator name, two
 * ways: by outermost operator (each event not inside another on its thread, with everything inside it: what the
 * training code called, e.g. {@code aten::conv2d} or a backward node) and by self time (each event's time minus
 * the time of the events directly inside it: where the time was spent). Times in milliseconds.
 */
record OpProfile(List<Row> outermost, List<Row> self) {
  /** One operator's number of events and their summed time, in milliseconds. */
  record Row(String op, int calls, double ms) {
  }

  /** One complete event of the trace: name, thread, start and duration in microseconds. */
  record Event(String name, long thread, double start, double duration) {
    double end() {
      return start + duration;
    }
  }

  /** The sum of the outermost events' times: the time libtorch's profiled operators took, in milliseconds. */
  double profiledMs() {
    return outermost.stream().mapToDouble(Row::ms).sum();
  }

  /** Reads a trace file; its complete ({@code "ph": "X"}) events are summed. */
  static OpProfile read(Path trace) {
    JsonNode events;
    try {
      events = new ObjectMapper().readTree(trace.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read libtorch's profile " + trace, e);
    }
    if (events == null || !events.isArray()) {
      throw new IllegalStateException("libtorch's profile " + trace + " is not a JSON array of events");
    }
    List<Event> list = new ArrayList<>();
    for (JsonNode e : events) {
      if ("X".equals(e.path("ph").asText())) {
        list.add(new Event(e.path("name").asText(), e.path("tid").asLong(), e.path("ts").asDouble(),
            e.path("dur").asDouble()));
      }
    }
    return of(list);
  }

  /**
   * Sums events thread by thread: an event lies inside the latest-starting open event it starts before the end of
   * (events starting together: the longer one is outside).
   */
  static OpProfile of(List<Event> events) {
    List<Event> sorted = new ArrayList<>(events);
    sorted.sort(Comparator.comparingLong(Event::thread).thenComparingDouble(Event::start)
        .thenComparing(Comparator.comparingDouble(Event::duration).reversed()));
    Map<String, double[]> outer = new LinkedHashMap<>();
    Map<String, double[]> self = new LinkedHashMap<>();
    Deque<Open> open = new ArrayDeque<>();
    long thread = Long.MIN_VALUE;
    for (Event e : sorted) {
      if (e.thread() != thread) {
        close(open, self, Double.POSITIVE_INFINITY);
        thread = e.thread();
      }
      close(open, self, e.start());
      if (open.isEmpty()) {
        add(outer, e.name(), e.duration());
      } else {
        open.peek().inside()[0] += e.duration();
      }
      open.push(new Open(e, new double[1]));
    }
    close(open, self, Double.POSITIVE_INFINITY);
    return new OpProfile(rows(outer), rows(self));
  }

  /** An event not yet ended in the walk, and the summed time of the events directly inside it. */
  private record Open(Event event, double[] inside) {
  }

  /** Closes the open events that end at or before {@code time}, adding their self times. */
  private static void close(Deque<Open> open, Map<String, double[]> self, double time) {
    while (!open.isEmpty() && open.peek().event().end() <= time) {
      Open done = open.pop();
      add(self, done.event().name(), done.event().duration() - done.inside()[0]);
    }
  }

  private static void add(Map<String, double[]> totals, String name, double micros) {
    double[] t = totals.computeIfAbsent(name, k -> new double[2]);
    t[0]++;
    t[1] += micros;
  }

  /** Rows by time, largest first. */
  private static List<Row> rows(Map<String, double[]> totals) {
    List<Row> rows = new ArrayList<>();
    totals.forEach((name, t) -> rows.add(new Row(name, (int) t[0], t[1] / 1e3)));
    rows.sort(Comparator.comparingDouble(Row::ms).reversed());
    return List.copyOf(rows);
  }
}
