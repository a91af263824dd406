package org.fedcxr.train;

import java.util.concurrent.locks.ReentrantLock;

/**
 * DJL records gradients through one global switch per JVM, so only one model may train at a time in a JVM: every
 * trainer (supervised and self-supervised) holds this lock for its whole run; a second Spark task in the same
 * executor waits for it.
 */
public final class TrainingLock {
  private static final ReentrantLock LOCK = new ReentrantLock(true);

  private TrainingLock() {
  }

  public static void acquire() {
    LOCK.lock();
  }

  public static void release() {
    LOCK.unlock();
  }

  /** Whether some thread of this JVM is training now. */
  public static boolean busy() {
    return LOCK.isLocked();
  }
}
