package org.fedcxr.ssl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.Map;
import org.fedcxr.model.StateDict;

/**
 * BYOL's target update: every target parameter becomes τ·target + (1−τ)·online (same name in the online branch).
 * The online weights are read through a detached view that shares their storage, so nothing is done to it in place.
 */
public final class Ema {
  private Ema() {
  }

  public static void update(Block target, Block online, float tau) {
    Map<String, Parameter> o = StateDict.of(online);
    try (NDManager scope = NDManager.newBaseManager()) {
      for (Map.Entry<String, Parameter> e : StateDict.of(target).entrySet()) {
        Parameter source = o.get(e.getKey());
        if (source == null) {
          throw new IllegalStateException("online branch has no parameter " + e.getKey());
        }
        NDArray t = e.getValue().getArray();
        NDArray detached = source.getArray().stopGradient();
        detached.attach(scope);
        t.muli(tau).addi(detached.mul(1 - tau));
      }
    }
  }

  /** Copies every target parameter from the online branch (the start of BYOL). */
  public static void copy(Block target, Block online) {
    update(target, online, 0f);
  }
}
