package org.fedcxr.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A block's parameters under PyTorch's state-dict names ({@code layer1.0.bn1.running_mean}), in one fixed order
 * (DJL's traversal order: a block's own parameters, then its children's, in the order they were added). The same
 * order defines the flat {@code float[]} view that driver and executors exchange.
 */
public final class StateDict {
  private StateDict() {
  }

  /** Every parameter (weights and BatchNorm statistics) by its torchvision name. */
  public static Map<String, Parameter> of(Block block) {
    Map<String, Parameter> out = new LinkedHashMap<>();
    walk("", block, out);
    return out;
  }

  private static void walk(String prefix, Block block, Map<String, Parameter> out) {
    for (Pair<String, Parameter> p : block.getDirectParameters()) {
      out.put(join(prefix, torchName(p.getKey())), p.getValue());
    }
    for (Pair<String, Block> child : block.getChildren()) {
      walk(join(prefix, child.getKey().substring(2)), child.getValue(), out);
    }
  }

  private static String join(String prefix, String name) {
    return prefix.isEmpty() ? name : name.isEmpty() ? prefix : prefix + "." + name;
  }

  private static String torchName(String djl) {
    return switch (djl) {
      case "gamma" -> "weight";
      case "beta" -> "bias";
      case "runningMean" -> "running_mean";
      case "runningVar" -> "running_var";
      default -> djl;
    };
  }

  /** The names of the BatchNorm layers (prefixes of a {@code running_mean}), for PyTorch's num_batches_tracked. */
  public static List<String> batchNormLayers(Block block) {
    return of(block).keySet().stream().filter(n -> n.endsWith(".running_mean"))
        .map(n -> n.substring(0, n.length() - ".running_mean".length())).toList();
  }

  /** Number of floats in the flat view. */
  public static int size(Block block) {
    long n = 0;
    for (Parameter p : of(block).values()) {
      n += p.getArray().size();
    }
    return Math.toIntExact(n);
  }

  /** Every parameter, concatenated in state-dict order. */
  public static float[] flatten(Block block) {
    float[] out = new float[size(block)];
    int offset = 0;
    for (Parameter p : of(block).values()) {
      float[] v = p.getArray().toFloatArray();
      System.arraycopy(v, 0, out, offset, v.length);
      offset += v.length;
    }
    return out;
  }

  /** Sets every parameter from a flat view made by {@link #flatten} of a block of the same architecture. */
  public static void load(Block block, float[] flat) {
    int expected = size(block);
    if (flat.length != expected) {
      throw new IllegalArgumentException("flat weights have " + flat.length + " floats, the model needs "
          + expected);
    }
    int offset = 0;
    for (Parameter p : of(block).values()) {
      NDArray a = p.getArray();
      int n = Math.toIntExact(a.size());
      a.set(FloatBuffer.wrap(flat, offset, n));
      offset += n;
    }
  }
}
