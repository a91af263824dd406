package org.fedcxr.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.function.Function;

/**
 * A DJL block whose children carry torchvision's attribute names ({@code conv1}, {@code layer1}, {@code 0}, ...),
 * so that {@link StateDict} can name every parameter as PyTorch does. By default the children run one after another
 * (like {@code nn.Sequential}); blocks with another data flow override {@link #forwardInternal} and
 * {@link #getOutputShapes}. A child added under the empty name adds no prefix to the names below it.
 */
public class Module extends AbstractBlock {
  /** Adds a named child; returns this module, for chaining. */
  public Module add(String name, Block block) {
    addChildBlock(name, block);
    return this;
  }

  /** Adds a parameter-free step (activation, pooling) that runs in order with the children. */
  public Module op(String name, Function<NDList, NDList> f) {
    addChildBlock(name, f);
    return this;
  }

  /** The child added under {@code name}. */
  protected Block child(String name) {
    for (var pair : children) {
      if (pair.getKey().substring(2).equals(name)) {
        return pair.getValue();
      }
    }
    throw new IllegalArgumentException("no child " + name + " in " + getClass().getSimpleName());
  }

  protected boolean hasChild(String name) {
    return children.keys().stream().anyMatch(k -> k.substring(2).equals(name));
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
      PairList<String, Object> params) {
    NDList x = inputs;
    for (Block b : children.values()) {
      x = b.forward(ps, x, training, params);
    }
    return x;
  }

  /** Runs every child but the last: for an encoder, the feature map before its global pooling. */
  public NDList forwardFeatures(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDList x = inputs;
    var blocks = children.values();
    for (int i = 0; i < blocks.size() - 1; i++) {
      x = blocks.get(i).forward(ps, x, training, params);
    }
    return x;
  }

  /** The shape of {@link #forwardFeatures}' output. */
  public Shape[] featureShapes(Shape[] inputShapes) {
    Shape[] shapes = inputShapes;
    var blocks = children.values();
    for (int i = 0; i < blocks.size() - 1; i++) {
      shapes = blocks.get(i).getOutputShapes(shapes);
    }
    return shapes;
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape[] shapes = inputShapes;
    for (Block b : children.values()) {
      shapes = b.getOutputShapes(shapes);
    }
    return shapes;
  }

  /**
   * Multiply-add FLOPs (2 per multiply-add) of one forward pass of one image of {@code input} shape (N = 1),
   * counting convolutions and linear layers. Blocks with another data flow override it.
   */
  public long forwardFlops(Shape input) {
    long flops = 0;
    Shape[] shapes = {input};
    for (Block b : children.values()) {
      flops += flopsOf(b, shapes[0]);
      shapes = b.getOutputShapes(shapes);
    }
    return flops;
  }

  /** FLOPs of any child: a module's own count, a convolution's or linear layer's, or 0 for parameter-free steps. */
  protected static long flopsOf(Block b, Shape input) {
    if (b instanceof Module m) {
      return m.forwardFlops(input);
    }
    if (b instanceof Convolution || b instanceof Linear) {
      Shape out = b.getOutputShapes(new Shape[] {input})[0];
      long weights = b.getParameters().get("weight").getArray().size();
      long outChannels = b.getParameters().get("weight").getArray().getShape().get(0);
      return 2 * weights * (out.size() / out.get(0)) / outChannels;
    }
    return 0;
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape[] shapes = inputShapes;
    for (Block b : children.values()) {
      b.initialize(manager, dataType, shapes);
      shapes = b.getOutputShapes(shapes);
    }
  }
}
