package org.fedcxr.config;

/** A job failed at run time (exit code 1); the message names the file, key or location and the cause. */
public final class JobFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public JobFailure(String message) {
    super(message);
  }

  public JobFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
