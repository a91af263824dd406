package org.fedcxr.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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
        others.set((int) named(name) - 1);
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

  private static long named(String name) {
    try (Stream<Path> tasks = Files.list(TASKS)) {
      return tasks.filter(task -> name.equals(comm(task))).count();
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
