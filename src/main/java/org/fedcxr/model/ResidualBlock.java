package org.fedcxr.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * torchvision's {@code BasicBlock} (two 3x3 convolutions) or {@code Bottleneck} (1x1, 3x3 with the stride, 1x1 with
 * 4x the width: ResNet v1.5), with the optional {@code downsample} shortcut (1x1 convolution and BatchNorm).
 */
final class ResidualBlock extends Module {
  private final int convs;

  private ResidualBlock(int convs) {
    this.convs = convs;
  }

  static ResidualBlock basic(int in, int width, int stride) {
    ResidualBlock b = new ResidualBlock(2);
    b.add("conv1", Layers.conv(width, 3, stride, 1)).add("bn1", Layers.bn())
        .add("conv2", Layers.conv(width, 3, 1, 1)).add("bn2", Layers.bn());
    if (stride != 1 || in != width) {
      b.add("downsample", new Module().add("0", Layers.conv(width, 1, stride, 0)).add("1", Layers.bn()));
    }
    return b;
  }

  static ResidualBlock bottleneck(int in, int width, int stride) {
    ResidualBlock b = new ResidualBlock(3);
    int out = width * 4;
    b.add("conv1", Layers.conv(width, 1, 1, 0)).add("bn1", Layers.bn())
        .add("conv2", Layers.conv(width, 3, stride, 1)).add("bn2", Layers.bn())
        .add("conv3", Layers.conv(out, 1, 1, 0)).add("bn3", Layers.bn());
    if (stride != 1 || in != out) {
      b.add("downsample", new Module().add("0", Layers.conv(out, 1, stride, 0)).add("1", Layers.bn()));
    }
    return b;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
      PairList<String, Object> params) {
    NDList y = inputs;
    for (int i = 1; i <= convs; i++) {
      y = child("conv" + i).forward(ps, y, training, params);
      y = child("bn" + i).forward(ps, y, training, params);
      if (i < convs) {
        y = new NDList(Activation.relu(y.singletonOrThrow()));
      }
    }
    NDArray shortcut = hasChild("downsample")
        ? child("downsample").forward(ps, inputs, training, params).singletonOrThrow()
        : inputs.singletonOrThrow();
    return new NDList(Activation.relu(y.singletonOrThrow().add(shortcut)));
  }

  @Override
  public long forwardFlops(Shape input) {
    long flops = 0;
    Shape s = input;
    for (int i = 1; i <= convs; i++) {
      Block conv = child("conv" + i);
      flops += flopsOf(conv, s);
      s = conv.getOutputShapes(new Shape[] {s})[0];
    }
    return flops + (hasChild("downsample") ? flopsOf(child("downsample"), input) : 0);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape[] s = inputShapes;
    for (int i = 1; i <= convs; i++) {
      s = child("conv" + i).getOutputShapes(s);
    }
    return s;
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape[] s = inputShapes;
    for (int i = 1; i <= convs; i++) {
      Block conv = child("conv" + i);
      conv.initialize(manager, dataType, s);
      s = conv.getOutputShapes(s);
      child("bn" + i).initialize(manager, dataType, s);
    }
    if (hasChild("downsample")) {
      child("downsample").initialize(manager, dataType, inputShapes);
    }
  }
}
