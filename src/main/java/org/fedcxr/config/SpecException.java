package org.fedcxr.config;

/** A job spec or command-line value that is not acceptable; the job writes nothing and exits with code 2. */
public final class SpecException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SpecException(String message) {
    super(message);
  }
}
