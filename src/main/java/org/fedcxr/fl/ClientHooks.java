package org.fedcxr.fl;

import java.io.Serializable;

/**
 * What a group task runs around each sampled client on the executor ({@link FederatedRun#optClientHooks}): none in
 * a normal run; fault drills and tests use them to fail a client's task (as a lost executor would) or the client's
 * own work (a dropout). Shipped to the executors with the task, so an implementation must be serializable.
 */
public interface ClientHooks extends Serializable {
  /** No hooks. */
  ClientHooks NONE = new ClientHooks() {
    private static final long serialVersionUID = 1L;
  };

  /** Runs before the client, outside its dropout handling: an exception fails the whole task, which Spark retries. */
  default void beforeClient(int round, int client) {
  }

  /** Runs inside the client's own work: an exception is that client's dropout, with the exception as its reason. */
  default void insideClient(int round, int client) {
  }
}
