package org.fedcxr.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What native threads a piece of work leaves behind, read from Linux's {@code /proc/self/task}: a thread that native
 * code starts takes its creator's name, so threads still named after the thread that ran the work were started by it
 * and kept, as an OpenMP team's workers are. Tests using it are skipped where {@code /proc} is absent.
 */
public final class NativeThreads {
  private static final Path TASKS = Path.of("/proc/self/task");

  private NativeThreads() {
  }

  /**
   * Runs {@code work} on a new thread named {@code name} (at most 15 characters, the kernel's limit) and returns how
   * many other native threads of this JVM carry that name when the work ends.
   */
  public static int keptBy(String name, Runnable work) throws InterruptedException {
    assumeTrue(Files.isDirectory(TASKS), "no /proc/self/task here");
    if (name.length() > 15) {
      throw new IllegalArgumentException("the kernel keeps 15 characters of a thread's name: " + name);
    }
    AtomicInteger others = new AtomicInteger(-1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        work.run();
        others.set((int) (natives().getOrDefault(name, 0L) - 1));
      } catch (Throwable e) {
        failure.set(e);
      }
    }, name);
    t.start();
    t.join();
    if (failure.get() != null) {
      throw new AssertionError("the work failed on thread " + name, failure.get());
    }
    return others.get();
  }

  /**
   * Native threads of this JVM that carry the name of a live Java thread not named with {@code lanePrefix}, beyond
   * that name's Java threads, by name (names cut to the kernel's 15 characters): threads native code started from
   * threads other than the lanes and kept, as an OpenMP team's workers are. Empty when every such name's native
   * threads are its Java threads.
   */
  public static Map<String, Long> keptOffLanes(String lanePrefix) {
    assumeTrue(Files.isDirectory(TASKS), "no /proc/self/task here");
    // natives listed before and after the Java threads: a thread started or ended in between is not counted
    Map<String, Long> first = natives();
    Map<String, Long> java = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
        .map(n -> n.length() > 15 ? n.substring(0, 15) : n)
        .collect(Collectors.groupingBy(n -> n, TreeMap::new, Collectors.counting()));
    Map<String, Long> second = natives();
    Map<String, Long> kept = new TreeMap<>();
    for (var e : java.entrySet()) {
      long extra = Math.min(first.getOrDefault(e.getKey(), 0L), second.getOrDefault(e.getKey(), 0L)) - e.getValue();
      if (!e.getKey().startsWith(lanePrefix) && extra > 0) {
        kept.put(e.getKey(), extra);
      }
    }
    return kept;
  }

  private static Map<String, Long> natives() {
    try (Stream<Path> tasks = Files.list(TASKS)) {
      return tasks.map(NativeThreads::comm).filter(n -> n != null)
          .collect(Collectors.groupingBy(n -> n, TreeMap::new, Collectors.counting()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String comm(Path task) {
    try {
      return Files.readString(task.resolve("comm")).strip();
    } catch (IOException e) {
      return null; // the thread ended while the list was read
    }
  }
}
