package org.fedcxr.ssl;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.fedcxr.model.StateDict;
import org.fedcxr.model.TensorMemory;

/**
 * BYOL's target update: every target parameter (BatchNorm statistics included) becomes τ·target + (1−τ)·online, the
 * online one of the same name. Pairs are matched once ({@link #between}); each update is then one pass over each
 * pair's memory from Java where libtorch's CPU tensors allow ({@link TensorMemory}), otherwise libtorch's operations
 * on a detached view of the online weights. Both compute the same float operations in the same order, so the result
 * is the same to the bit.
 */
public final class Ema {
  private final List<Pair> pairs = new ArrayList<>();

  /** A target array, its online array, and their memory when Java can reach both (else null). */
  private record Pair(NDArray target, NDArray online, FloatBuffer targetMemory, FloatBuffer onlineMemory) {
  }

  private Ema(Block target, Block online, boolean java) {
    Map<String, Parameter> o = StateDict.of(online);
    for (Map.Entry<String, Parameter> e : StateDict.of(target).entrySet()) {
      Parameter source = o.get(e.getKey());
      if (source == null) {
        throw new IllegalStateException("online branch has no parameter " + e.getKey());
      }
      NDArray t = e.getValue().getArray();
      NDArray s = source.getArray();
      boolean direct = java && TensorMemory.reachable(t) && TensorMemory.reachable(s);
      pairs.add(new Pair(t, s, direct ? TensorMemory.of(t) : null, direct ? TensorMemory.of(s) : null));
    }
  }

  /**
   * The target's parameters paired by name with the online branch's (fails on a name the online branch lacks). The
   * pairs hold the tensors' memory: build them after the weights are loaded, and again after any later load.
   */
  public static Ema between(Block target, Block online) {
    return new Ema(target, online, true);
  }

  /** As {@link #between}, every update by libtorch's operations (the reference the one pass is measured against). */
  public static Ema throughLibtorch(Block target, Block online) {
    return new Ema(target, online, false);
  }

  /** One update with momentum {@code tau}. */
  public void update(float tau) {
    float rest = 1 - tau;
    for (Pair p : pairs) {
      if (p.targetMemory() == null) {
        try (NDArray detached = p.online().stopGradient(); NDArray scaled = detached.mul(rest)) {
          p.target().muli(tau).addi(scaled);
        }
        continue;
      }
      FloatBuffer t = p.targetMemory();
      FloatBuffer o = p.onlineMemory();
      for (int j = 0; j < t.limit(); j++) {
        t.put(j, t.get(j) * tau + o.get(j) * rest);
      }
    }
  }

  public static void update(Block target, Block online, float tau) {
    between(target, online).update(tau);
  }

  /** Copies every target parameter from the online branch (the start of BYOL). */
  public static void copy(Block target, Block online) {
    update(target, online, 0f);
  }
}
