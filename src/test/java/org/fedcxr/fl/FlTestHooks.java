package org.fedcxr.fl;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.TaskContext;

/** Fault injection for tests of the federated loop (local Spark: tasks run in the test's JVM). */
public final class FlTestHooks {
  private static final AtomicInteger INJECTED = new AtomicInteger();

  private FlTestHooks() {
  }

  /** Throws after round {@code k} is checkpointed, as a driver crash would stop the run. */
  public static void stopAfterRound(int k) {
    FederatedRun.afterCheckpoint = r -> {
      if (r == k) {
        throw new IllegalStateException("stopped after round " + k);
      }
    };
  }

  /** Runs {@code action} after round {@code k} is checkpointed (e.g. stops a store the run writes to). */
  public static void afterRound(int k, Runnable action) {
    FederatedRun.afterCheckpoint = r -> {
      if (r == k) {
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
    FederatedRun.afterCheckpoint = r -> { };
    GroupTask.beforeClient = client -> { };
    GroupTask.insideClient = client -> { };
    INJECTED.set(0);
  }
}
