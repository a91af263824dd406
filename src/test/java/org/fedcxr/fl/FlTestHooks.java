package org.fedcxr.fl;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.TaskContext;

/**
 * Fault injection for tests of the federated loop: observers that stop a run after a round, and client faults (local
 * Spark: tasks run in the test's JVM).
 */
public final class FlTestHooks {
  private static final AtomicInteger INJECTED = new AtomicInteger();

  private FlTestHooks() {
  }

  /** An observer that throws after round {@code k} is checkpointed, as a driver crash would stop the run. */
  public static FederatedRun.Progress stopAfterRound(int k) {
    return afterRound(k, () -> {
      throw new IllegalStateException("stopped after round " + k);
    });
  }

  /** An observer that runs {@code action} after round {@code k} is checkpointed (e.g. stops a store). */
  public static FederatedRun.Progress afterRound(int k, Runnable action) {
    return (report, rounds, elapsed, left) -> {
      if (report.round() == k) {
        action.run();
      }
    };
  }

  /** The first attempt of client {@code c}'s task fails outside the client's code, as a lost executor would. */
  public static void failFirstAttemptOfClient(int c) {
    GroupTask.beforeClient = client -> {
      if (client == c && TaskContext.get().attemptNumber() == 0) {
        INJECTED.incrementAndGet();
        throw new IllegalStateException("injected executor failure");
      }
    };
  }

  /** Client {@code c}'s own training fails every time (its data is unusable). */
  public static void breakClient(int c) {
    GroupTask.insideClient = client -> {
      if (client == c) {
        throw new IllegalArgumentException("client " + c + " broken");
      }
    };
  }

  public static int failuresInjected() {
    return INJECTED.get();
  }

  public static void reset() {
    GroupTask.beforeClient = client -> { };
    GroupTask.insideClient = client -> { };
    INJECTED.set(0);
  }
}
