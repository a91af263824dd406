package org.fedcxr.model;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one thread of this JVM that runs libtorch work: every training, seeded initialisation and inference batch of
 * fedcxr is handed to it and the caller waits. Two reasons. DJL records gradients through one global switch and
 * seeds through one global generator, so only one model may train or be initialised from a seed at a time. And
 * libtorch keeps per-calling-thread state (an OpenMP thread team, malloc arenas): called from Spark's ever-new task
 * threads, a long-lived JVM grew by hundreds of MB per training (measured: docs/benchmarks.md), called from one
 * thread it does not.
 */
public final class TorchThread {
  private static final String NAME = "fedcxr-torch";
  private static final ThreadPoolExecutor THREAD = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
      new LinkedBlockingQueue<>(), r -> {
        // libtorch's gradient mode is per thread and on in a new one; DJL expects it off outside a
        // GradientCollector (as on the thread that loaded the engine)
        Thread t = new Thread(() -> {
          Engine.getEngine("PyTorch");
          JniUtils.setGradMode(false);
          r.run();
        }, NAME);
        t.setDaemon(true);
        return t;
      });

  private TorchThread() {
  }

  /** Runs {@code work} on the libtorch thread (directly when already on it) and returns its result. */
  public static <T> T call(Callable<T> work) {
    if (Thread.currentThread().getName().equals(NAME)) {
      try {
        return work.call();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    Future<T> result = THREAD.submit(work);
    try {
      return result.get();
    } catch (InterruptedException e) {
      result.cancel(false);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for libtorch work", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause);
    }
  }

  /** Runs {@code work} on the libtorch thread and waits for it. */
  public static void run(Runnable work) {
    call(() -> {
      work.run();
      return null;
    });
  }
}
